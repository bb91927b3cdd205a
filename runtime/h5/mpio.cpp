#include "h5/mpio.hpp"

#include "common/error.hpp"

namespace cairn::detail::h5 {

mpi_info::mpi_info() {
    check_mpi(MPI_Info_create(&info_), "MPI_Info_create");
}

mpi_info::~mpi_info() {
    if (info_ != MPI_INFO_NULL) MPI_Info_free(&info_);
}

void mpi_info::set(const char* key, const char* value) {
    check_mpi(MPI_Info_set(info_, key, value), "MPI_Info_set");
}

void set_io_hints(mpi_info& /*info*/) {}

namespace {

void set_common(hid_t fapl) {
    check(H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18), "H5Pset_libver_bounds");
    check(H5Pset_alignment(fapl, alignment_bytes, alignment_bytes), "H5Pset_alignment");
}

}  // namespace

plist parallel_fapl(MPI_Comm comm) {
    plist fapl(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate fapl");
    mpi_info info;
    set_io_hints(info);
    check(H5Pset_fapl_mpio(fapl.get(), comm, info.get()), "H5Pset_fapl_mpio");
    check(H5Pset_all_coll_metadata_ops(fapl.get(), true), "H5Pset_all_coll_metadata_ops");
    check(H5Pset_coll_metadata_write(fapl.get(), false), "H5Pset_coll_metadata_write");
    set_common(fapl.get());
    return fapl;
}

plist serial_fapl() {
    plist fapl(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate fapl");
    check(H5Pset_fapl_sec2(fapl.get()), "H5Pset_fapl_sec2");
    set_common(fapl.get());
    return fapl;
}

plist collective_dxpl() {
    plist dxpl(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate dxpl");
    check(H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
    return dxpl;
}

}  // namespace cairn::detail::h5
