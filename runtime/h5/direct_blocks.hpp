// Direct (O_DIRECT) transfers of raw data blocks of contiguous datasets, bypassing MPI-IO and the
// page cache; the file layout is unchanged (docs/tuning.md, "I/O performance").
#pragma once

#include "common/buffer.hpp"
#include "h5/handles.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cairn::detail::h5 {

/// Byte offset, inside its dataset, of this rank's block when the block is one contiguous byte
/// range both in the file and in memory and its bytes are stored as in memory (little-endian
/// host); std::nullopt otherwise. `start` is a per-rank buffer's first element.
std::optional<std::uint64_t> contiguous_block_offset(const buffer_desc& b, std::uint64_t start);

/// One byte run of a rank's block: where it lies in its dataset's storage, its memory, its size.
struct file_run {
    std::uint64_t offset = 0;  ///< bytes from the start of the dataset's storage
    const unsigned char* mem = nullptr;
    std::size_t bytes = 0;
};

/// The byte runs of this rank's block of `b` in its dataset, in the block's row-major order (the
/// order its checksum hashes); rows that follow each other both in the file and in memory are
/// merged, so a block that is one byte range in both is one run. Halo memory is skipped. `start`
/// is a per-rank buffer's first element. Bytes are stored as in memory: callers check that the
/// host is little-endian (contiguous_block_offset() tells).
std::vector<file_run> block_file_runs(const buffer_desc& b, std::uint64_t start);

/// File address of the contiguous storage of `dset`, or std::nullopt (chunked, not allocated).
std::optional<std::uint64_t> storage_address(hid_t dset);

}  // namespace cairn::detail::h5
