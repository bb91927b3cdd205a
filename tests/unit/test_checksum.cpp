#include "storage/checksum.hpp"

#include <catch2/catch.hpp>
#include <xxhash.h>

#include <algorithm>
#include <stdexcept>
#include <numeric>
#include <vector>

using namespace cairn::detail;

TEST_CASE("a block inside halo memory hashes like the packed block", "[checksum]") {
    // 3x4 block inside 5x6 memory at (1,1)
    std::vector<double> mem(5 * 6, -1.0);
    std::vector<double> packed;
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 4; ++j) {
            const double v = 10.0 * i + j;
            mem[(1 + i) * 6 + (1 + j)] = v;
            packed.push_back(v);
        }
    }
    buffer_desc b;
    b.kind = buffer_kind::distributed;
    b.elem = cairn::type::float64;
    b.data = mem.data();
    b.ndims = 2;
    b.extent = {3, 4, 0};
    b.mem_shape = {5, 6, 0};
    b.mem_offset = {1, 1, 0};
    b.count = 12;
    CHECK_FALSE(b.contiguous());
    const auto h = hash_buffer(b);
    CHECK(h == hash_bytes(packed.data(), packed.size() * sizeof(double)));
    mem[0] = 99;  // halo changes do not matter
    CHECK(hash_buffer(b) == h);
    mem[1 * 6 + 2] = 99;  // data changes do
    CHECK(hash_buffer(b) != h);
}

TEST_CASE("3-D block hashing and per-rank buffers", "[checksum]") {
    std::vector<int> mem(4 * 4 * 4);
    std::iota(mem.begin(), mem.end(), 0);
    std::vector<int> packed;
    for (int i = 1; i < 3; ++i)
        for (int j = 0; j < 2; ++j)
            for (int k = 1; k < 4; ++k) packed.push_back(mem[(i * 4 + j) * 4 + k]);
    buffer_desc b;
    b.kind = buffer_kind::distributed;
    b.elem = cairn::type::int32;
    b.data = mem.data();
    b.ndims = 3;
    b.extent = {2, 2, 3};
    b.mem_shape = {4, 4, 4};
    b.mem_offset = {1, 0, 1};
    b.count = 12;
    CHECK(hash_buffer(b) == hash_bytes(packed.data(), packed.size() * sizeof(int)));

    buffer_desc p;
    p.kind = buffer_kind::per_rank;
    p.elem = cairn::type::int32;
    p.data = mem.data();
    p.count = 5;
    CHECK(hash_buffer(p) == hash_bytes(mem.data(), 5 * sizeof(int)));
    p.count = 0;
    CHECK(hash_buffer(p) == hash_bytes(nullptr, 0));
}

TEST_CASE("a streamed checksum equals the one-shot checksum of the same bytes", "[checksum]") {
    std::vector<unsigned char> bytes(3 * 1024 * 1024 + 17);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i * 7 + (i >> 11));
    for (const std::size_t piece : {std::size_t{1}, std::size_t{4096}, std::size_t{1000003}}) {
        cairn::detail::streaming_hash h;
        for (std::size_t at = 0; at < bytes.size(); at += piece)
            h.update(bytes.data() + at, std::min(piece, bytes.size() - at));
        CHECK(h.digest() == hash_bytes(bytes.data(), bytes.size()));
    }
    const cairn::detail::streaming_hash empty;
    CHECK(empty.digest() == hash_bytes(nullptr, 0));
}

TEST_CASE("every XXH3 build gives libxxhash's values", "[checksum]") {
    // The runtime compiles XXH3 once per instruction set and uses the widest the CPU has; the
    // values must be the library's whatever the build (files written on one machine are
    // verified on another).
    std::vector<unsigned char> data((std::size_t{1} << 20U) + 977);
    for (std::size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<unsigned char>((i * 2654435761U) >> 11U);
    }
    const auto variants = cairn::detail::hash_variants();
    REQUIRE_FALSE(variants.empty());
    CHECK(variants.front() == "portable");
    CHECK(variants.back() == cairn::detail::hash_implementation());
    INFO("XXH3 builds on this CPU: " << variants.size() << ", in use: "
                                     << cairn::detail::hash_implementation());
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{16},
                                std::size_t{17}, std::size_t{128}, std::size_t{129},
                                std::size_t{240}, std::size_t{241}, std::size_t{1024},
                                std::size_t{65536}, data.size()}) {
        const std::uint64_t want = XXH3_64bits(data.data(), n);
        CHECK(cairn::detail::hash_bytes(data.data(), n) == want);
        for (const auto& v : variants) {
            CHECK(cairn::detail::hash_bytes_with(v, data.data(), n) == want);
        }
        cairn::detail::streaming_hash h;
        h.update(data.data(), n / 3);  // then reset: the digest covers only what follows
        h.reset();
        for (std::size_t off = 0; off < n; off += 1000) {
            h.update(data.data() + off, std::min<std::size_t>(1000, n - off));
        }
        CHECK(h.digest() == want);
    }
    CHECK_THROWS_AS(cairn::detail::hash_bytes_with("sse9", data.data(), 1), std::invalid_argument);
}
