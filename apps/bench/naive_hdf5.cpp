// The shared-HDF5-file baseline of cairn_bench (--mode h5indep): what a user writes by hand with
// parallel HDF5, without cairn. Every rank opens one file through the MPI-IO driver, the ranks
// create one 1-D dataset of all their data, each writes its own block with an independent
// transfer (the default transfer list), then the file is flushed (MPI_File_sync) and closed.
// Raw HDF5 calls on purpose: this is the code cairn is compared with, not part of cairn.
#include "naive_hdf5.hpp"

#include <hdf5.h>

#include <stdexcept>
#include <string>

namespace bench {

namespace {

void check(herr_t rc, const char* what) {
    if (rc < 0) throw std::runtime_error(std::string("naive HDF5 writer: ") + what + " failed");
}

hid_t checked(hid_t id, const char* what) {
    if (id < 0) throw std::runtime_error(std::string("naive HDF5 writer: ") + what + " failed");
    return id;
}

}  // namespace

void write_shared_hdf5(const std::string& path, MPI_Comm comm, const double* data,
                       unsigned long long count, unsigned long long offset,
                       unsigned long long total) {
    const hid_t fapl = checked(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate");
    check(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "H5Pset_fapl_mpio");
    const hid_t file = checked(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), "H5Fcreate");
    const hsize_t dims[1] = {total};
    const hid_t space = checked(H5Screate_simple(1, dims, nullptr), "H5Screate_simple");
    const hid_t dset = checked(H5Dcreate2(file, "/state", H5T_IEEE_F64LE, space, H5P_DEFAULT,
                                          H5P_DEFAULT, H5P_DEFAULT),
                               "H5Dcreate2");
    const hsize_t start[1] = {offset};
    const hsize_t n[1] = {count};
    check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, n, nullptr),
          "H5Sselect_hyperslab");
    const hid_t mem = checked(H5Screate_simple(1, n, nullptr), "H5Screate_simple");
    check(H5Dwrite(dset, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, data), "H5Dwrite");
    check(H5Fflush(file, H5F_SCOPE_GLOBAL), "H5Fflush");
    H5Sclose(mem);
    H5Dclose(dset);
    H5Sclose(space);
    check(H5Fclose(file), "H5Fclose");
    H5Pclose(fapl);
}

}  // namespace bench
