#include "h5/direct_blocks.hpp"

#include <bit>

namespace cairn::detail::h5 {

std::optional<std::uint64_t> contiguous_block_offset(const buffer_desc& b, std::uint64_t start) {
    if constexpr (std::endian::native != std::endian::little) return std::nullopt;
    const std::uint64_t esz = type_size(b.elem);
    if (b.kind == buffer_kind::per_rank) return start * esz;
    if (!b.contiguous() || b.ndims < 1 || b.ndims > 3) return std::nullopt;
    // Row-major: contiguous when every dimension after the first one with extent > 1 is whole.
    int first = b.ndims - 1;
    for (int d = 0; d < b.ndims; ++d) {
        if (b.extent[d] > 1) {
            first = d;
            break;
        }
    }
    for (int d = first + 1; d < b.ndims; ++d) {
        if (b.extent[d] != b.global[d] || b.offset[d] != 0) return std::nullopt;
    }
    std::uint64_t index = 0;
    for (int d = 0; d < b.ndims; ++d) index = index * b.global[d] + b.offset[d];
    return index * esz;
}

std::optional<std::uint64_t> storage_address(hid_t dset) {
    const haddr_t a = H5Dget_offset(dset);
    if (a == HADDR_UNDEF) {
        H5Eclear2(H5E_DEFAULT);
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(a);
}

}  // namespace cairn::detail::h5
