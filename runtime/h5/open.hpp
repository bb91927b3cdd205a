// Opening checkpoint files for reading, with the project's error classification: a missing,
// foreign or truncated file is a corrupt_error naming the path; a file that does not fit the
// registration is a mismatch_error.
#pragma once

#include "h5/checkpoint_file.hpp"
#include "h5/handles.hpp"

#include <mpi.h>

#include <string>
#include <vector>

namespace cairn::detail::h5 {

/// Opens `path` read-only on every rank of `comm` (collective) or throws corrupt_error on every
/// rank ("file does not exist", or "not an HDF5 file or truncated" with HDF5's reason).
file open_collective(const std::string& path, MPI_Comm comm);

/// Opens `path` read-only on every rank of `comm` with the serial driver, each rank on its own
/// (no MPI-IO open or close; each rank reads the metadata it needs), or throws corrupt_error
/// on every rank as above. Used by the restore of full checkpoints (docs/tuning.md).
file open_each(const std::string& path, MPI_Comm comm);

/// Opens `path` with the serial driver (no MPI needed) or throws corrupt_error as above.
file open_serial(const std::string& path, bool writable = false);

/// Creates `path` (truncating it) with the serial driver and no file lock, for rank 0 of the
/// direct writers, alone. Throws hdf5_error.
file create_serial(const std::string& path);

/// A checkpoint file opened read-only, with its root attributes.
struct opened_checkpoint {
    file f;
    checkpoint_meta meta;
};

/// How the ranks of a restore open a file: each with the serial driver, or collectively.
enum class open_driver { each, collective };

/// The prologue of every reader of a checkpoint file: silences HDF5's error printing, opens
/// `path` read-only with the serial driver and reads and checks its root attributes. Throws
/// corrupt_error naming `path` (missing, foreign, truncated, or bad root attributes).
opened_checkpoint open_with_meta(const std::string& path);

/// The same on every rank of `comm` (collective), with the driver `how`.
opened_checkpoint open_with_meta(const std::string& path, MPI_Comm comm, open_driver how);

/// Builds a mismatch_error "checkpoint <path> does not fit the registration: <why>".
mismatch_error mismatch(const std::string& path, const std::string& why);

/// Names of the links in `group_path` of `f`, sorted by name.
std::vector<std::string> member_names(hid_t f, const char* group_path);

}  // namespace cairn::detail::h5
