// Checksums of buffer contents (XXH3-64), the same value for a block whatever its memory layout.
#pragma once

#include "common/buffer.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cairn::detail {

/// Name stored in files for the algorithm below.
inline constexpr const char* checksum_algorithm = "xxh3-64";

/// XXH3-64 of `n` bytes, computed with the widest instruction set the CPU has (runtime/xxh3).
std::uint64_t hash_bytes(const void* data, std::size_t n);

/// Name of the XXH3 build in use: "portable", "avx2" or "avx512".
const char* hash_implementation();

/// Every XXH3 build this CPU can run, the one in use last (for tests).
std::vector<std::string> hash_variants();

/// XXH3-64 with the named build (for tests); throws std::invalid_argument if it cannot run here.
std::uint64_t hash_bytes_with(const std::string& variant, const void* data, std::size_t n);

/// XXH3-64 of bytes handed over in pieces: the same value as hash_bytes() of them all.
class streaming_hash {
public:
    streaming_hash();
    ~streaming_hash();
    streaming_hash(const streaming_hash&) = delete;
    streaming_hash& operator=(const streaming_hash&) = delete;
    void update(const void* data, std::size_t n);
    [[nodiscard]] std::uint64_t digest() const;
    /// Starts over, as a new object would (keeps the state's memory).
    void reset();

private:
    struct state;
    std::unique_ptr<state> st_;
};

/// XXH3-64 of a buffer's local data in row-major order of its block (halo cells excluded), so a
/// distributed block hashes the same as the packed block stored in a file.
std::uint64_t hash_buffer(const buffer_desc& b);

}  // namespace cairn::detail
