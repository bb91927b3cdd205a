// Incremental checkpoints: per-rank block hashes of the last committed checkpoint, the choice
// between a full checkpoint and a delta, and the chain bookkeeping (docs/incremental.md).
#pragma once

#include "storage/blocks.hpp"
#include "common/buffer.hpp"
#include "common/config.hpp"
#include "h5/delta_file.hpp"

#include <mpi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cairn::detail {

/// What the next checkpoint writes.
struct incremental_plan {
    bool delta = false;
    delta_link link;                                 ///< delta: where it sits in the chain
    std::vector<buffer_change> changes;              ///< delta: this rank's blocks per buffer
    std::vector<std::vector<std::uint64_t>> hashes;  ///< block hashes of this checkpoint
    std::vector<std::string> names;                  ///< buffer names (to detect changes)
    std::vector<std::uint64_t> sizes;                ///< this rank's bytes per buffer
    std::uint64_t stored_bytes = 0;                  ///< delta: changed bytes over all ranks
    std::uint64_t total_bytes = 0;                   ///< buffer bytes over all ranks
};

/// Block hashes of the last committed checkpoint of this rank and its place in the chain.
class incremental_tracker {
public:
    explicit incremental_tracker(const config& cfg) : cfg_(cfg) {}

    /// Collective over `comm`: hashes every block of `bufs` and decides (identically on every
    /// rank) between a full checkpoint and a delta against the last committed one.
    incremental_plan prepare(MPI_Comm comm, const std::vector<buffer_desc>& bufs);

    /// The checkpoint of `plan` was committed as `epoch`: its hashes become the reference.
    void committed(incremental_plan&& plan, std::uint64_t epoch);

    /// Forgets the reference: the next checkpoint is full.
    void forget() { valid_ = false; }

private:
    const config& cfg_;
    bool valid_ = false;
    int links_ = 0;                     // deltas since the base
    std::vector<std::uint64_t> chain_;  // base, ..., last committed
    std::vector<std::string> names_;
    std::vector<std::uint64_t> sizes_;  // bytes per buffer
    std::vector<std::vector<std::uint64_t>> hashes_;
    std::vector<std::vector<unsigned char>> spare_;  // byte storage of the last delta, reused
};

/// Rank 0, serial: removes from `victims` every epoch that the chain of a checkpoint that stays
/// (in `committed` but not in `victims`) needs. Unreadable files protect nothing.
std::vector<std::uint64_t> protect_chains(const std::string& dir,
                                          const std::vector<std::uint64_t>& committed,
                                          const std::vector<std::uint64_t>& victims);

}  // namespace cairn::detail

namespace cairn::detail {

/// Collective: broadcasts rank 0's `link` (nullopt = a full checkpoint). Returns true for a delta.
bool broadcast_link(MPI_Comm comm, std::optional<delta_link>& link);

}  // namespace cairn::detail
