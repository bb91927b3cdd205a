#include "h5/open.hpp"

#include "common/error.hpp"
#include "h5/attributes.hpp"
#include "h5/mpio.hpp"

#include <filesystem>

namespace cairn::detail::h5 {

namespace {

/// Opens `path` read-only with `fapl` on every rank of `comm`; all ranks succeed or all throw.
file open_everywhere(const std::string& path, MPI_Comm comm, hid_t fapl) {
    file f;
    std::string why;
    try {
        f = file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl), "H5Fopen");
    } catch (const hdf5_error& e) {
        why = e.detail();
    }
    int ok = f ? 1 : 0;
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
    if (ok != 0) return f;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw corrupt(path, "file does not exist");
    if (why.empty()) why = "failed on another rank";
    throw corrupt(path, "not an HDF5 file or truncated (" + why + ")");
}

}  // namespace

file open_collective(const std::string& path, MPI_Comm comm) {
    plist fapl = parallel_fapl(comm);
    return open_everywhere(path, comm, fapl.get());
}

file open_each(const std::string& path, MPI_Comm comm) {
    plist fapl = serial_fapl();
    // A committed checkpoint is never written again: no lock is needed, and a file system
    // without flock (some Lustre mounts) must not make every rank's open fail.
    check(H5Pset_file_locking(fapl.get(), false, true), "H5Pset_file_locking");
    return open_everywhere(path, comm, fapl.get());
}

file open_serial(const std::string& path, bool writable) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw corrupt(path, "file does not exist");
    plist fapl = serial_fapl();
    try {
        return {H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl.get()),
                "H5Fopen"};
    } catch (const hdf5_error& e) {
        throw corrupt(path, "not an HDF5 file or truncated (" + e.detail() + ")");
    }
}

file create_serial(const std::string& path) {
    plist fapl = serial_fapl();
    // A checkpoint being written is never opened by anyone else; a file system without flock
    // (some Lustre mounts) must not fail the create.
    check(H5Pset_file_locking(fapl.get(), false, true), "H5Pset_file_locking");
    return {H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
            "cannot create " + path};
}

opened_checkpoint open_with_meta(const std::string& path) {
    silence_errors();
    opened_checkpoint o;
    o.f = open_serial(path);
    o.meta = read_meta(o.f.get(), path);
    return o;
}

opened_checkpoint open_with_meta(const std::string& path, MPI_Comm comm, open_driver how) {
    silence_errors();
    opened_checkpoint o;
    o.f = how == open_driver::each ? open_each(path, comm) : open_collective(path, comm);
    o.meta = read_meta(o.f.get(), path);
    return o;
}

mismatch_error mismatch(const std::string& path, const std::string& why) {
    return mismatch_error(
        make_error("checkpoint " + path + " does not fit the registration: " + why).what());
}

std::vector<std::string> member_names(hid_t f, const char* group_path) {
    group g(H5Gopen2(f, group_path, H5P_DEFAULT), std::string("H5Gopen2 ") + group_path);
    H5G_info_t info{};
    check(H5Gget_info(g.get(), &info), "H5Gget_info");
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t n = check(H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i,
                                                   nullptr, 0, H5P_DEFAULT),
                                "H5Lget_name_by_idx");
        std::string s(static_cast<std::size_t>(n) + 1, '\0');
        check(H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), s.size(),
                                 H5P_DEFAULT),
              "H5Lget_name_by_idx");
        s.resize(static_cast<std::size_t>(n));
        names.push_back(std::move(s));
    }
    return names;
}

}  // namespace cairn::detail::h5
