// Internal description of a registered buffer, shared by the registry and the file layer.
#pragma once

#include <cairn/cairn.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace cairn::detail {

/// How a buffer is stored in a checkpoint.
enum class buffer_kind : int {
    per_rank = 1,     ///< each rank its own count; one 1-D dataset + offsets index
    distributed = 2,  ///< one global dataset of global_shape; each rank writes its block
};

/// One registered buffer. For per_rank buffers only `count` is meaningful (ndims = 1).
struct buffer_desc {
    std::string name;
    void* data = nullptr;
    type elem = type::byte;
    buffer_kind kind = buffer_kind::per_rank;
    std::size_t count = 0;  ///< local element count (product of extent for distributed)
    int ndims = 1;
    std::array<std::uint64_t, 3> global{};  ///< distributed: global shape
    std::array<std::uint64_t, 3> offset{};  ///< distributed: block offset in the global array
    std::array<std::uint64_t, 3> extent{};  ///< distributed: block extent
    std::array<std::uint64_t, 3> mem_shape{};   ///< distributed: local memory shape
    std::array<std::uint64_t, 3> mem_offset{};  ///< distributed: block position in memory

    /// Resizable or object (per_rank): the count may differ from the file; restored via resize.
    bool variable = false;
    bool object = false;      ///< bytes produced by an object's save callback
    std::string format_tag;   ///< object: the application's format tag
    /// Variable buffers: current data and count (refreshed at each checkpoint).
    std::function<std::pair<void*, std::size_t>()> current;
    /// Variable buffers: resizes to `count` elements and returns the destination.
    std::function<void*(std::size_t)> resize;

    /// Bytes of this rank's data (count * element size).
    [[nodiscard]] std::size_t bytes() const { return count * type_size(elem); }
    /// True when the block fills its local memory contiguously (no halo).
    [[nodiscard]] bool contiguous() const;
};

/// Calls `f(const unsigned char* row, std::size_t bytes)` for the rows (innermost dimension) of
/// a buffer's block in row-major block order, skipping halo memory: the order in which the block
/// is stored in a file. A contiguous block is one call.
template <class F>
void for_each_block_row(const buffer_desc& b, F&& f) {
    const std::size_t esz = type_size(b.elem);
    const auto* base = static_cast<const unsigned char*>(b.data);
    if (b.contiguous()) {
        if (b.bytes() > 0) f(base, b.bytes());
        return;
    }
    // Right-align into 3 dims: [d0, d1, d2] with d2 innermost.
    const int nd = b.ndims;
    std::array<std::uint64_t, 3> ext{1, 1, 1};
    std::array<std::uint64_t, 3> msh{1, 1, 1};
    std::array<std::uint64_t, 3> mof{0, 0, 0};
    for (int d = 0; d < nd; ++d) {
        ext[3 - nd + d] = b.extent[d];
        msh[3 - nd + d] = b.mem_shape[d];
        mof[3 - nd + d] = b.mem_offset[d];
    }
    const std::size_t row_bytes = ext[2] * esz;
    if (row_bytes == 0) return;
    for (std::uint64_t i = 0; i < ext[0]; ++i) {
        for (std::uint64_t j = 0; j < ext[1]; ++j) {
            const std::uint64_t e = ((mof[0] + i) * msh[1] + (mof[1] + j)) * msh[2] + mof[2];
            f(base + e * esz, row_bytes);
        }
    }
}

}  // namespace cairn::detail
