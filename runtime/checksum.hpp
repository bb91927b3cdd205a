// Checksums of buffer contents (XXH3-64), the same value for a block whatever its memory layout.
#pragma once

#include "buffer.hpp"

#include <cstddef>
#include <cstdint>

namespace cairn::detail {

/// Name stored in files for the algorithm below.
inline constexpr const char* checksum_algorithm = "xxh3-64";

/// XXH3-64 of `n` bytes.
std::uint64_t hash_bytes(const void* data, std::size_t n);

/// XXH3-64 of a buffer's local data in row-major order of its block (halo cells excluded), so a
/// distributed block hashes the same as the packed block stored in a file.
std::uint64_t hash_buffer(const buffer_desc& b);

}  // namespace cairn::detail
