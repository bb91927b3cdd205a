#include "h5/direct_blocks.hpp"

#include <array>
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

std::vector<file_run> block_file_runs(const buffer_desc& b, std::uint64_t start) {
    std::vector<file_run> runs;
    const std::uint64_t esz = type_size(b.elem);
    const auto* base = static_cast<const unsigned char*>(b.data);
    if (b.bytes() == 0) return runs;
    if (b.kind == buffer_kind::per_rank) {
        runs.push_back({start * esz, base, b.bytes()});
        return runs;
    }
    // Right-aligned into 3 dimensions, the innermost last.
    const int nd = b.ndims;
    std::array<std::uint64_t, 3> g{1, 1, 1};
    std::array<std::uint64_t, 3> off{0, 0, 0};
    std::array<std::uint64_t, 3> ext{1, 1, 1};
    std::array<std::uint64_t, 3> msh{1, 1, 1};
    std::array<std::uint64_t, 3> mof{0, 0, 0};
    for (int d = 0; d < nd; ++d) {
        const auto k = static_cast<std::size_t>(3 - nd + d);
        g[k] = b.global[d];
        off[k] = b.offset[d];
        ext[k] = b.extent[d];
        msh[k] = b.mem_shape[d];
        mof[k] = b.mem_offset[d];
    }
    const std::size_t row = ext[2] * esz;
    for (std::uint64_t i = 0; i < ext[0]; ++i) {
        for (std::uint64_t j = 0; j < ext[1]; ++j) {
            const std::uint64_t f = (((off[0] + i) * g[1] + (off[1] + j)) * g[2] + off[2]) * esz;
            const std::uint64_t m =
                (((mof[0] + i) * msh[1] + (mof[1] + j)) * msh[2] + mof[2]) * esz;
            const unsigned char* p = base + m;
            if (!runs.empty() && runs.back().offset + runs.back().bytes == f &&
                runs.back().mem + runs.back().bytes == p) {
                runs.back().bytes += row;
            } else {
                runs.push_back({f, p, row});
            }
        }
    }
    return runs;
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
