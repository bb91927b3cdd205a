// The checkpoint file: one HDF5 file per epoch, written and read collectively.
// This header is the only interface to the HDF5 layer; it exposes no HDF5 types.
// The layout is documented in docs/file-format.md.
#pragma once

#include "common/buffer.hpp"
#include "common/channel.hpp"

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
    /// Run key (root attribute "run_key"; docs/configuration.md, "Run identity"). Files written
    /// before run keys existed have none: has_run_key is false.
    std::string run_key;
    bool has_run_key = true;
    std::int64_t time_unix = 0;  ///< seconds since 1970 when the snapshot was taken
    std::string time_iso;        ///< same, ISO 8601 UTC
    std::string job_id;          ///< $SLURM_JOB_ID or ""
    std::string checksum_algorithm;
    // Interval data recorded for `cairn inspect` (0 if unknown).
    double interval_delta = 0;  ///< checkpoint cost δ used by the scheduler [s]
    double interval_mtbf = 0;   ///< job MTBF M used by the scheduler [s]
    double interval_t = 0;      ///< interval T in force [s]
    /// Epoch color of the snapshot protocol at which ranks resume (0 in files without it).
    std::uint64_t color = 0;
    /// Statistics of this checkpoint (root attributes stat_*; 0 in files without them).
    checkpoint_stats stats;
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

/// How the data datasets are stored.
struct write_options {
    /// 0: contiguous, unfiltered (the default: fastest, and the layout tools can map directly).
    /// 1-9: chunked with the shuffle and deflate filters at this level (parallel filtered writes,
    /// which HDF5 does with collective transfers). Metadata tables stay contiguous.
    int deflate_level = 0;
    /// The direct writer (h5/direct_writer.hpp) when there is no compression: rank 0 creates the
    /// file and its metadata with serial HDF5, every rank writes its raw data with positional
    /// writes at the datasets' addresses, O_DIRECT where the file system has it (buffered
    /// otherwise), halo'd and non-contiguous blocks row by row. Same file. false: everything
    /// through HDF5's MPI-IO driver with collective transfers.
    bool direct_io = false;
};

/// Where a checkpoint write's time went on this rank (seconds; CAIRN_VERBOSE=2 logs it).
struct write_timings {
    double hash = 0;    ///< checksums of the rank's blocks (direct writer: 0, hashed while written)
    double gather = 0;  ///< block tables and channel plan exchanged
    double create = 0;  ///< file, metadata, groups created (direct writer: by rank 0, addresses
                        ///< broadcast)
    double data = 0;    ///< raw data written (MPI-IO writer: with its datasets and tables;
                        ///< direct writer: and the channel log)
    double close = 0;   ///< MPI-IO writer: channel log, flush, close; direct writer: checksums
                        ///< gathered, rank 0 writes their tables and closes
};

/// Adds the seconds since the previous lap (or construction) to one phase of write_timings.
class phase_clock {
public:
    void lap(double& phase) {
        const double t = MPI_Wtime();
        phase += t - mark_;
        mark_ = t;
    }

private:
    double mark_ = MPI_Wtime();
};

/// `meta` as every writer stores it: this format version, `nranks`, the checksum algorithm.
checkpoint_meta as_written(const checkpoint_meta& meta, int nranks);

/// How the data datasets are read.
struct read_options {
    /// Read this rank's own contiguous blocks with O_DIRECT positional reads at the dataset's
    /// address instead of MPI-IO (no page cache); other blocks, and file systems without
    /// O_DIRECT, go through HDF5 as before. Checksums are verified either way.
    bool direct_io = false;
};

/// Collective over `comm`: writes `meta` and every buffer to `path` (created or truncated) and
/// closes it; the MPI-IO path also syncs it (MPI_File_sync), the direct one leaves that to the
/// caller's commit (fsync of the file before its rename). Every rank passes the
/// same buffer list (same names, kinds, types, global shapes, in the same order). Throws
/// cairn::error on failure.
void write_checkpoint_file(const std::string& path, MPI_Comm comm, const checkpoint_meta& meta,
                           const std::vector<buffer_desc>& bufs);

/// As above, plus this rank's channel state (logged messages with payload and the per-peer
/// counters) in /cairn/channel. Counter vectors must be empty or have one entry per rank of
/// `comm`. The 4-argument overload writes an empty channel state.
void write_checkpoint_file(const std::string& path, MPI_Comm comm, const checkpoint_meta& meta,
                           const std::vector<buffer_desc>& bufs, const channel_state& chan,
                           const write_options& opts = {},
                           write_timings* timings = nullptr);

/// Collective over `comm`: opens `path`, checks its attributes and that every registered buffer
/// is present with the same kind, type, shape and (per-rank) count, reads this rank's data into
/// the buffers and verifies its checksums in the same pass. Throws corrupt_error or
/// mismatch_error (on every rank where detected; all collective calls are completed first).
///
/// The rank count and the blocks of distributed buffers may differ from the writing job when the
/// file's channel log is empty and every per-rank buffer was replicated (same bytes on every
/// writer rank): see "Changing the rank count" in docs/file-format.md.
checkpoint_meta read_checkpoint_file(const std::string& path, MPI_Comm comm,
                                     const std::vector<buffer_desc>& bufs);

/// As above, and fills `chan_out` with this rank's logged messages (payload included, in receive
/// order) and counters (one entry per rank; zeros where the writer had none), verified against
/// /cairn/checksum_channel. A file without /cairn/channel, or a restart on another rank count,
/// gives an empty channel state.
checkpoint_meta read_checkpoint_file(const std::string& path, MPI_Comm comm,
                                     const std::vector<buffer_desc>& bufs, channel_state& chan_out,
                                     const read_options& opts = {});

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
    std::uint64_t channel_messages = 0;  ///< logged messages over all ranks
    std::uint64_t channel_bytes = 0;     ///< their payload bytes
    // Incremental checkpoints (docs/incremental.md); a full checkpoint has kind "full".
    std::string kind = "full";           ///< "full" | "delta"
    std::uint64_t base_epoch = 0;        ///< delta: the full checkpoint its chain starts from
    std::uint64_t parent_epoch = 0;      ///< delta: the checkpoint it applies to
    std::vector<std::uint64_t> chain;    ///< delta: epochs applied before it (base first)
    std::uint64_t block_size = 0;        ///< delta: bytes per block
    std::uint64_t stored_bytes = 0;      ///< delta: changed bytes stored over all ranks
    std::uint64_t stored_blocks = 0;     ///< delta: changed blocks stored over all ranks
};

/// Serial (no MPI needed): reads the root attributes only (full or delta file). Throws
/// corrupt_error.
checkpoint_meta read_checkpoint_meta(const std::string& path);

/// Serial (no MPI needed): reads attributes and dataset descriptions. Throws corrupt_error.
checkpoint_summary inspect_checkpoint_file(const std::string& path);

/// Serial (no MPI needed): reads every dataset and recomputes every rank's checksums.
/// Returns the problems found (empty = the file verifies). Throws corrupt_error when the file
/// cannot be read at all.
std::vector<std::string> verify_checkpoint_file(const std::string& path);

/// Serial: rank `rank`'s channel state as read_checkpoint_file would restore it, verified against
/// its channel checksum. Throws corrupt_error (also for a rank outside the file's rank count).
channel_state read_channel_state(const std::string& path, int rank);

/// Serial: one counter matrix, `which` = "sent_white" | "recv_before" | "logged";
/// result[r][peer] is rank r's row (empty when the file has no channel group). Throws
/// corrupt_error, or cairn::error for an unknown `which`.
std::vector<std::vector<std::uint64_t>> read_channel_counters(const std::string& path,
                                                              const char* which);

/// Serial: byte offset of dataset `dataset_path` (e.g. "/data/grid") in the file, for tests and
/// tools that damage or map data. Throws cairn::error if it has no storage.
std::uint64_t dataset_file_offset(const std::string& path, const std::string& dataset_path);

/// Serial: bytes of file storage allocated for dataset `dataset_path` (after filters: the
/// compressed size of a compressed dataset).
std::uint64_t dataset_storage_bytes(const std::string& path, const std::string& dataset_path);

}  // namespace cairn::detail
