// The checkpoint file: one HDF5 file per epoch, written and read collectively.
// This header is the only interface to the HDF5 layer; it exposes no HDF5 types.
// The layout is documented in docs/file-format.md.
#pragma once

#include "../buffer.hpp"

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace cairn::detail {

/// Current file format version (root attribute "format_version").
inline constexpr std::uint32_t file_format_version = 1;

/// Root attributes of a checkpoint file.
struct checkpoint_meta {
    std::uint32_t format_version = file_format_version;
    std::string cairn_version;
    std::uint64_t epoch = 0;
    std::uint64_t safe_point = 0;  ///< safe-point index K at which the snapshot was taken
    int nranks = 0;
    std::string app_name;
    std::int64_t time_unix = 0;  ///< seconds since 1970 when the snapshot was taken
    std::string time_iso;        ///< same, ISO 8601 UTC
    std::string job_id;          ///< $SLURM_JOB_ID or ""
    std::string checksum_algorithm;
    // Interval data recorded for `cairn inspect` (0 if unknown).
    double interval_delta = 0;  ///< checkpoint cost δ used by the scheduler [s]
    double interval_mtbf = 0;   ///< job MTBF M used by the scheduler [s]
    double interval_t = 0;      ///< interval T in force [s]
};

/// The file is unreadable, foreign, truncated, of an unknown version, or fails a checksum.
/// A restart may fall back to an older checkpoint.
class corrupt_error : public cairn::error {
public:
    using cairn::error::error;
};

/// The file is a sound checkpoint but does not fit the registration (rank count, names, types,
/// shapes, sizes). Falling back would not help; the restart stops with this error.
class mismatch_error : public cairn::error {
public:
    using cairn::error::error;
};

/// Collective over `comm`: writes `meta` and every buffer to `path` (created or truncated) with
/// collective MPI-IO, syncs the file to disk (MPI_File_sync) and closes it. Every rank passes the
/// same buffer list (same names, kinds, types, global shapes, in the same order). Throws
/// cairn::error on failure.
void write_checkpoint_file(const std::string& path, MPI_Comm comm, const checkpoint_meta& meta,
                           const std::vector<buffer_desc>& bufs);

/// Collective over `comm`: opens `path`, checks its attributes and that every registered buffer
/// is present with the same kind, type, shape and (per-rank) count, reads this rank's data into
/// the buffers and verifies its checksums in the same pass. Throws corrupt_error or
/// mismatch_error (on every rank where detected; all collective calls are completed first).
checkpoint_meta read_checkpoint_file(const std::string& path, MPI_Comm comm,
                                     const std::vector<buffer_desc>& bufs);

/// Summary of one dataset for tools.
struct dataset_summary {
    std::string name;
    buffer_kind kind = buffer_kind::per_rank;
    type elem = type::byte;
    std::vector<std::uint64_t> global_shape;  ///< per_rank: {total elements}
    std::uint64_t bytes = 0;
    std::vector<std::uint64_t> rank_counts;  ///< elements written by each rank
};

/// Summary of a checkpoint file for tools.
struct checkpoint_summary {
    checkpoint_meta meta;
    std::vector<dataset_summary> datasets;
    std::uint64_t file_bytes = 0;
};

/// Serial (no MPI needed): reads attributes and dataset descriptions. Throws corrupt_error.
checkpoint_summary inspect_checkpoint_file(const std::string& path);

/// Serial (no MPI needed): reads every dataset and recomputes every rank's checksums.
/// Returns the problems found (empty = the file verifies). Throws corrupt_error when the file
/// cannot be read at all.
std::vector<std::string> verify_checkpoint_file(const std::string& path);

}  // namespace cairn::detail
