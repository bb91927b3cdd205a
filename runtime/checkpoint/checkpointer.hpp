// The commit protocol (write under a temporary name, AND of success across ranks, fsync, atomic
// rename, retention) and the restart search (newest committed file that verifies, with fallback).
#pragma once

#include "storage/background_remover.hpp"
#include "common/buffer.hpp"
#include "common/channel.hpp"
#include "common/config.hpp"
#include "storage/fsutil.hpp"
#include "h5/checkpoint_file.hpp"
#include "checkpoint/incremental.hpp"

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
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
    bool delta = false;        ///< an incremental checkpoint (only changed blocks stored)
    std::uint64_t stored_bytes = 0;  ///< data bytes stored in the file over all ranks
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
    /// Writes the file of one checkpoint: full, or a delta when incremental mode allows.
    void write_file(const std::string& tmp, const checkpoint_meta& meta,
                    const std::vector<buffer_desc>& bufs, const channel_state& chan,
                    incremental_plan& plan, write_timings& timings);
    /// Restores the chain ending at delta `epoch` (checkpointer_chain.cpp): the base, then each
    /// link in order; stops at the last link that verifies. nullopt when the base is unusable.
    std::optional<restore_result> restore_chain(std::uint64_t epoch, const delta_link& link,
                                                const std::vector<buffer_desc>& bufs,
                                                std::set<std::uint64_t>& bad,
                                                std::vector<std::string>& failures);
    const config& cfg_;
    MPI_Comm comm_;
    incremental_tracker inc_;
    int rank_ = 0;
    int size_ = 0;
    std::uint64_t next_epoch_ = 1;
    bool scanned_ = false;
    channel_state restored_channel_;
    std::unique_ptr<dir_lock> lock_;  // rank 0: this job owns the directory
    // Rank 0: deletes the files retention renamed to *.removing, after the commit returned
    // (declared after lock_ so that it finishes before the lock is released). Waited for before
    // the next retention pass and when the space check finds too little room.
    background_remover remover_;
};

}  // namespace cairn::detail
