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
    if (b.contiguous() || b.count == 0) {
        const std::size_t esz = type_size(b.elem);
        const auto* base = static_cast<const unsigned char*>(b.data);
        if (b.kind == buffer_kind::distributed && b.count > 0) {
            // contiguous block: offset is zero by definition
            return hash_bytes(base, b.count * esz);
        }
        return hash_bytes(base, b.bytes());
    }
    // Block inside larger memory: stream rows (innermost dimension) in row-major block order.
    std::unique_ptr<XXH3_state_t, state_deleter> st(XXH3_createState());
    XXH3_64bits_reset(st.get());
    const std::size_t esz = type_size(b.elem);
    const auto* base = static_cast<const unsigned char*>(b.data);
    const int nd = b.ndims;
    std::array<std::uint64_t, 3> ext{1, 1, 1};
    std::array<std::uint64_t, 3> msh{1, 1, 1};
    std::array<std::uint64_t, 3> mof{0, 0, 0};
    // Right-align into 3 dims: [d0, d1, d2] with d2 innermost.
    for (int d = 0; d < nd; ++d) {
        ext[3 - nd + d] = b.extent[d];
        msh[3 - nd + d] = b.mem_shape[d];
        mof[3 - nd + d] = b.mem_offset[d];
    }
    const std::size_t row_bytes = ext[2] * esz;
    for (std::uint64_t i = 0; i < ext[0]; ++i) {
        for (std::uint64_t j = 0; j < ext[1]; ++j) {
            const std::uint64_t elem =
                ((mof[0] + i) * msh[1] + (mof[1] + j)) * msh[2] + mof[2];
            XXH3_64bits_update(st.get(), base + elem * esz, row_bytes);
        }
    }
    return XXH3_64bits_digest(st.get());
}

}  // namespace cairn::detail
