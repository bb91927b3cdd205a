// The commit protocol (write under a temporary name, AND of success across ranks, fsync, atomic
// rename, retention) and the restart search (newest committed file that verifies, with fallback).
#pragma once

#include "buffer.hpp"
#include "channel.hpp"
#include "config.hpp"
#include "fsutil.hpp"
#include "h5/checkpoint_file.hpp"

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cairn::detail {

/// Outcome of one checkpoint.
struct commit_result {
    bool ok = false;
    std::string error;       ///< why it failed (from the first failing rank)
    std::string path;        ///< committed file
    std::uint64_t epoch = 0;
    std::uint64_t bytes = 0;   ///< data bytes over all ranks
    double seconds = 0;        ///< wall time of the whole protocol
    std::string tiers;         ///< node-local tier on: where it is ("local,partner,shared")
};

/// Outcome of a restore.
struct restore_result {
    bool restored = false;
    checkpoint_meta meta;
    std::string path;
};

/// Writes and finds checkpoints in the configured directory. All calls are collective over the
/// communicator given at construction (which the caller keeps private to this object).
class checkpointer {
public:
    checkpointer(const config& cfg, MPI_Comm comm);

    /// Epoch the next checkpoint will get (one more than any file in the directory).
    [[nodiscard]] std::uint64_t next_epoch() const { return next_epoch_; }

    /// Raises next_epoch() to at least `e` (the node-local tier numbers checkpoints that never
    /// reach this directory, and a flush must keep the tier's epoch).
    void set_next_epoch(std::uint64_t e) { next_epoch_ = e > next_epoch_ ? e : next_epoch_; }

    /// Takes the directory lock (first time) and scans the directory to set next_epoch()
    /// (collective). Throws cairn::error naming the problem.
    void scan();

    /// Writes, syncs and commits a checkpoint of `bufs`. Never throws for I/O problems: the result
    /// says what failed, and the earlier checkpoints are untouched.
    commit_result write(checkpoint_meta meta, const std::vector<buffer_desc>& bufs,
                        const channel_state& chan = {});

    /// Restores the newest committed checkpoint whose checksums verify, falling back to older ones
    /// (with a message on rank 0). Throws cairn::error on a mismatch with the registration or when
    /// committed checkpoints exist but none verifies.
    restore_result restore(const std::vector<buffer_desc>& bufs);

    /// This rank's channel log of the checkpoint restore() loaded.
    channel_state& restored_channel() { return restored_channel_; }

private:
    void log(int level, const std::string& msg) const;
    const config& cfg_;
    MPI_Comm comm_;
    int rank_ = 0;
    int size_ = 0;
    std::uint64_t next_epoch_ = 1;
    bool scanned_ = false;
    channel_state restored_channel_;
    std::unique_ptr<dir_lock> lock_;  // rank 0: this job owns the directory
};

}  // namespace cairn::detail
