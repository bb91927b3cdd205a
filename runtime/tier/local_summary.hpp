// What the node-local tier holds, per epoch and over all node directories, for `cairn inspect`
// (docs/tiers.md). Reads markers and file sizes only; POSIX, no MPI.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cairn::detail {

/// One epoch of the node-local tier as its node directories record it.
struct local_epoch_summary {
    std::uint64_t epoch = 0;
    int nranks = 0;                  ///< from the markers
    std::string dir;                 ///< shared directory of the job that wrote it
    std::vector<std::string> nodes;  ///< node directories with a marker for this epoch
    std::string tiers;       ///< "local,rs:4+2,shared"; "a (2 nodes) | b (1 node)" if they differ
    std::string redundancy;  ///< partner, xor:N or rs:N+K
    int images = 0;          ///< rank.<r>.img files
    int partner_copies = 0;  ///< partner.<r>.img files
    int parity_files = 0;    ///< parity.<r>.img files
    std::uint64_t image_bytes = 0;
    std::uint64_t redundancy_bytes = 0;  ///< partner copies and parity files
};

/// Every committed epoch under `base` (the local_dir: one directory per node), oldest first.
/// Throws std::runtime_error when `base` cannot be listed.
std::vector<local_epoch_summary> summarize_local_tier(const std::string& base);

}  // namespace cairn::detail
