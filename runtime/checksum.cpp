#include "checksum.hpp"

#include <xxhash.h>

#include <new>

namespace cairn::detail {

std::uint64_t hash_bytes(const void* data, std::size_t n) { return XXH3_64bits(data, n); }

struct streaming_hash::state {
    XXH3_state_t* s = XXH3_createState();
    state() {
        if (s == nullptr) throw std::bad_alloc();
        XXH3_64bits_reset(s);
    }
    ~state() { XXH3_freeState(s); }
    state(const state&) = delete;
    state& operator=(const state&) = delete;
};

streaming_hash::streaming_hash() : st_(std::make_unique<state>()) {}
streaming_hash::~streaming_hash() = default;

void streaming_hash::update(const void* data, std::size_t n) {
    if (n > 0) XXH3_64bits_update(st_->s, data, n);
}

std::uint64_t streaming_hash::digest() const { return XXH3_64bits_digest(st_->s); }

std::uint64_t hash_buffer(const buffer_desc& b) {
    if (b.contiguous()) return hash_bytes(b.data, b.bytes());
    // Block inside larger memory: stream its rows, which hashes like the packed block.
    streaming_hash h;
    for_each_block_row(b, [&](const unsigned char* row, std::size_t n) { h.update(row, n); });
    return h.digest();
}

}  // namespace cairn::detail
