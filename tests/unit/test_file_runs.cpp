// block_file_runs: where a rank's block lies in its dataset, row by row, merged where rows follow
// each other in the file and in memory; and copy_small of the wrappers' small messages.
#include "h5/direct_blocks.hpp"
#include "pmpi/piggyback.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace cd = cairn::detail;

namespace {

cd::buffer_desc grid(std::vector<double>& mem, std::array<std::uint64_t, 3> global,
                     std::array<std::uint64_t, 3> offset, std::array<std::uint64_t, 3> extent,
                     std::array<std::uint64_t, 3> mem_shape, std::array<std::uint64_t, 3> mem_off,
                     int ndims) {
    cd::buffer_desc b;
    b.name.push_back('g');  // not = "g": GCC 12 warns falsely on that assignment here
    b.elem = cairn::type::float64;
    b.kind = cd::buffer_kind::distributed;
    b.ndims = ndims;
    b.global = global;
    b.offset = offset;
    b.extent = extent;
    b.mem_shape = mem_shape;
    b.mem_offset = mem_off;
    std::size_t n = 1;
    std::size_t m = 1;
    for (int d = 0; d < ndims; ++d) {
        n *= extent[d];
        m *= mem_shape[d];
    }
    b.count = n;
    mem.assign(m, 0.0);
    b.data = mem.data();
    return b;
}

}  // namespace

TEST_CASE("block_file_runs: one run for a per-rank buffer and for whole rows") {
    std::vector<double> mem;
    cd::buffer_desc pr;
    pr.elem = cairn::type::int32;
    pr.kind = cd::buffer_kind::per_rank;
    std::vector<std::int32_t> v(10);
    pr.data = v.data();
    pr.count = v.size();
    auto runs = cd::h5::block_file_runs(pr, 7);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].offset == 7 * 4);
    CHECK(runs[0].bytes == 40);

    // Rows 2..4 of a 6 x 8 array, whole rows, no halo: one run.
    const auto rows = grid(mem, {6, 8, 0}, {2, 0, 0}, {3, 8, 0}, {3, 8, 0}, {0, 0, 0}, 2);
    runs = cd::h5::block_file_runs(rows, 0);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].offset == 2 * 8 * 8);
    CHECK(runs[0].bytes == 3 * 8 * 8);
    CHECK(runs[0].mem == reinterpret_cast<const unsigned char*>(mem.data()));

    cd::buffer_desc empty = rows;
    empty.count = 0;
    empty.extent = {0, 8, 0};
    CHECK(cd::h5::block_file_runs(empty, 0).empty());
}

TEST_CASE("block_file_runs: a 2-D block with a halo is one run per row") {
    std::vector<double> mem;
    // Block rows 3..5, columns 5..7 of a 6 x 8 array; memory 5 x 5 with a one-cell halo.
    const auto b = grid(mem, {6, 8, 0}, {3, 5, 0}, {3, 3, 0}, {5, 5, 0}, {1, 1, 0}, 2);
    const auto runs = cd::h5::block_file_runs(b, 0);
    REQUIRE(runs.size() == 3);
    const auto* base = reinterpret_cast<const unsigned char*>(mem.data());
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(runs[i].offset == ((3 + i) * 8 + 5) * 8);
        CHECK(runs[i].bytes == 3 * 8);
        CHECK(runs[i].mem == base + ((1 + i) * 5 + 1) * 8);
    }
}

TEST_CASE("block_file_runs: 3-D blocks merge the planes that are whole") {
    std::vector<double> mem;
    // 4 x 3 x 2, block = planes 1..2, whole in the other dimensions: one run.
    auto b = grid(mem, {4, 3, 2}, {1, 0, 0}, {2, 3, 2}, {2, 3, 2}, {0, 0, 0}, 3);
    auto runs = cd::h5::block_file_runs(b, 0);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].offset == 1 * 3 * 2 * 8);
    CHECK(runs[0].bytes == 2 * 3 * 2 * 8);
    // Middle row of every plane: one run per plane.
    b = grid(mem, {4, 3, 2}, {0, 1, 0}, {4, 1, 2}, {4, 1, 2}, {0, 0, 0}, 3);
    runs = cd::h5::block_file_runs(b, 0);
    REQUIRE(runs.size() == 4);
    for (std::size_t k = 0; k < 4; ++k) {
        CHECK(runs[k].offset == (k * 3 * 2 + 1 * 2) * 8);
        CHECK(runs[k].bytes == 2 * 8);
    }
}

TEST_CASE("copy_small copies every small size exactly") {
    std::vector<unsigned char> src(300);
    for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<unsigned char>(i * 7 + 1);
    for (std::size_t n = 0; n <= 40; ++n) {
        std::vector<unsigned char> dst(48, 0xEE);
        cd::copy_small(dst.data() + 3, src.data() + 5, n);
        for (std::size_t i = 0; i < dst.size(); ++i) {
            const bool inside = i >= 3 && i < 3 + n;
            REQUIRE(dst[i] == (inside ? src[5 + i - 3] : 0xEE));
        }
    }
}
