// Block hashing and block deltas of one rank's buffer (incremental checkpoints,
// docs/incremental.md). Pure code, no MPI, no HDF5.
#pragma once

#include "common/buffer.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cairn::detail {

/// The bytes of a buffer as stored in a file (row-major block, halo excluded): `b.data` itself
/// when the block is contiguous, else a copy in `tmp`.
const unsigned char* packed_bytes(const buffer_desc& b, std::vector<unsigned char>& tmp);

/// Copies `n` packed bytes back into the memory of `b` (halo untouched); n == b.bytes().
void unpack_bytes(const buffer_desc& b, const unsigned char* in);

/// Number of blocks of `block` bytes covering `n` bytes (the last one may be short).
std::size_t block_count(std::size_t n, std::size_t block);

/// XXH3-64 of every block of `data[0, n)`.
std::vector<std::uint64_t> block_hashes(const unsigned char* data, std::size_t n,
                                        std::size_t block);

/// Checksum of a whole buffer in a delta file: XXH3-64 of the little-endian array of its block
/// hashes (so the hashes that find the changed blocks also give the end-to-end checksum).
std::uint64_t hashes_checksum(const std::vector<std::uint64_t>& hashes);

/// hashes_checksum(block_hashes(data, n, block)).
std::uint64_t state_checksum(const unsigned char* data, std::size_t n, std::size_t block);

/// What one rank stores for one buffer in a delta file.
struct buffer_change {
    std::uint64_t size = 0;             ///< bytes of the buffer after applying
    std::uint64_t checksum = 0;         ///< XXH3-64 of the whole buffer after applying
    std::vector<std::uint64_t> blocks;  ///< indices of the stored blocks, ascending
    std::vector<unsigned char> bytes;   ///< their bytes, concatenated
};

/// Blocks whose hash differs from `old_hashes` (all blocks when `whole`, e.g. the size changed).
/// `spare` (optional) is reused as the byte storage of the result: memory kept from an earlier
/// delta is already mapped, a fresh allocation pays page faults (slow on some VMs).
buffer_change diff_blocks(const unsigned char* data, std::size_t n, std::size_t block,
                          const std::vector<std::uint64_t>& new_hashes,
                          const std::vector<std::uint64_t>& old_hashes, bool whole,
                          std::uint64_t checksum, std::vector<unsigned char> spare = {});

/// Checksum of the stored part of a change: XXH3-64 of the block indices (little-endian
/// uint64) followed by the bytes.
std::uint64_t change_checksum(const std::vector<std::uint64_t>& blocks,
                              const std::vector<unsigned char>& bytes);

/// Applies stored blocks to `state` (resized to `size` first; bytes beyond the old size are
/// zero until a block covers them). Returns "" or what is inconsistent (index out of range, not
/// ascending, byte count not matching).
std::string apply_blocks(std::vector<unsigned char>& state, std::uint64_t size, std::size_t block,
                         const std::vector<std::uint64_t>& blocks,
                         const std::vector<unsigned char>& bytes);

}  // namespace cairn::detail
