// Direct (O_DIRECT) transfers of raw data blocks of contiguous datasets, bypassing MPI-IO and the
// page cache; the file layout is unchanged (docs/tuning.md, "I/O performance").
#pragma once

#include "../buffer.hpp"
#include "h5/handles.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace cairn::detail::h5 {

/// Byte offset, inside its dataset, of this rank's block when the block is one contiguous byte
/// range both in the file and in memory and its bytes are stored as in memory (little-endian
/// host); std::nullopt otherwise. `start` is a per-rank buffer's first element.
std::optional<std::uint64_t> contiguous_block_offset(const buffer_desc& b, std::uint64_t start);

/// File address of the contiguous storage of `dset`, or std::nullopt (chunked, not allocated).
std::optional<std::uint64_t> storage_address(hid_t dset);

}  // namespace cairn::detail::h5
