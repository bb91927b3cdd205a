// The node-local tier: checkpoints land in a per-node directory first (one rank image per rank),
// a copy of every image goes to a partner node over MPI, and the shared directory receives the
// checkpoint per the flush policy. Restart searches local, partner, then shared copies.
// Every method except the constructor runs on the I/O thread and is collective over the
// communicator given to the constructor. See docs/tiers.md.
#pragma once

#include "checkpoint/checkpointer.hpp"
#include "common/config.hpp"
#include "local_store.hpp"
#include "parity.hpp"
#include "topology.hpp"

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cairn::detail {

class node_tier {
public:
    /// Collective over `user` (node discovery); `io` is the I/O thread's private communicator.
    node_tier(const config& cfg, MPI_Comm user, MPI_Comm io);

    /// Scans the local tier and the shared directory so that epochs continue after both.
    void scan(checkpointer& ck);

    /// Commits a checkpoint to the local tier (AND across ranks), then the partner copy, then
    /// the shared directory when the flush policy (or `force_flush`) says so. ok = committed in
    /// the local tier; a failed partner copy or flush is logged and shown in `tiers`.
    commit_result commit(checkpointer& ck, checkpoint_meta meta,
                         const std::vector<buffer_desc>& bufs, const channel_state& chan,
                         bool force_flush);

    /// Restores the newest checkpoint that every rank finds in its local tier, a partner's, or
    /// (when it is not older) the shared directory; falls back to the shared directory's newest
    /// complete checkpoint with a message when some rank's data exists nowhere.
    restore_result restore(checkpointer& ck, const std::vector<buffer_desc>& bufs);

    /// Channel state of what restore() loaded.
    channel_state& restored_channel() { return from_shared_ ? shared_channel_ : channel_; }

    /// flush=every:K or end: writes the newest checkpoint of the local tier to the shared
    /// directory from the local files unless it is there already (at finalize).
    void final_flush(checkpointer& ck);

    [[nodiscard]] const node_table& nodes() const { return table_; }

private:
    struct epoch_attempt;
    void log(int level, const std::string& msg) const;
    std::string exchange_partner(std::uint64_t e);
    void update_markers(const tier_marker& m);
    void apply_retention(std::uint64_t newest);
    bool flush_to_shared(checkpointer& ck, const checkpoint_meta& meta,
                         const std::vector<buffer_desc>& bufs, const channel_state& chan,
                         std::string& why);
    bool try_epoch(std::uint64_t e, const std::vector<buffer_desc>& bufs, restore_result& out,
                   std::string& why);
    bool try_epoch_parity(std::uint64_t e, const std::vector<buffer_desc>& bufs,
                          restore_result& out, std::string& why, double t0);
    void setup_parity(MPI_Comm user);
    std::uint64_t newest_marker_below(std::uint64_t bound, std::string& skipped) const;

    const config& cfg_;
    MPI_Comm comm_;
    int rank_ = 0;
    int size_ = 0;
    node_table table_;
    int node_ = 0;
    bool leader_ = false;  // lowest rank of its node: writes the node's markers
    int partner_ = -1;     // rank that stores this rank's partner copy
    std::vector<int> sources_;  // ranks whose partner copy this rank stores
    std::unique_ptr<parity_sets> parity_;  // redundancy = xor:N or rs:N+K
    local_store store_;
    bool scanned_ = false;
    std::uint64_t next_epoch_ = 1;
    std::uint64_t last_epoch_ = 0;  // newest checkpoint committed or restored by this job
    bool last_shared_ = true;      // ... and whether the shared directory has it
    tier_marker last_marker_;
    std::vector<unsigned char> send_buf_;  // chunk buffers of partner transfers (kept: touching
    std::vector<unsigned char> recv_buf_;  // fresh memory is slow on some machines)
    bool from_shared_ = false;
    channel_state channel_;
    channel_state shared_channel_;
};

}  // namespace cairn::detail
