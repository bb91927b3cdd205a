// Collective exchange of every rank's block description, so that all ranks hold identical
// metadata before any HDF5 call (and any check gives the same answer everywhere).
#pragma once

#include "common/buffer.hpp"

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace cairn::detail::h5 {

/// Every rank's block of one buffer.
struct block_table {
    std::vector<std::uint64_t> counts;  ///< [P] elements of each rank
    std::vector<std::uint64_t> layout;  ///< [P][2][3] offset and extent of each rank (unused 0)
    std::vector<std::uint64_t> extra;   ///< [P] one value per rank (the checksum when writing)

    /// Prefix sums of counts: [P+1].
    [[nodiscard]] std::vector<std::uint64_t> prefix() const;
};

/// Collective over `comm`: gathers counts, layouts and `extra[i]` for every buffer. Throws
/// cairn::error (identically on every rank) when ranks passed different buffer lists (names,
/// kinds, types, dimensions, global shapes) or a block does not fit its global shape.
std::vector<block_table> gather_blocks(MPI_Comm comm, const std::vector<buffer_desc>& bufs,
                                       const std::vector<std::uint64_t>& extra);

}  // namespace cairn::detail::h5
