#include "checksum.hpp"

#include <xxhash.h>

#include <memory>

namespace cairn::detail {

std::uint64_t hash_bytes(const void* data, std::size_t n) { return XXH3_64bits(data, n); }

namespace {

struct state_deleter {
    void operator()(XXH3_state_t* s) const { XXH3_freeState(s); }
};

}  // namespace

std::uint64_t hash_buffer(const buffer_desc& b) {
    if (b.contiguous()) return hash_bytes(b.data, b.bytes());
    // Block inside larger memory: stream its rows, which hashes like the packed block.
    std::unique_ptr<XXH3_state_t, state_deleter> st(XXH3_createState());
    XXH3_64bits_reset(st.get());
    for_each_block_row(b, [&](const unsigned char* row, std::size_t n) {
        XXH3_64bits_update(st.get(), row, n);
    });
    return XXH3_64bits_digest(st.get());
}

}  // namespace cairn::detail
