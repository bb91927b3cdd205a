// copy_helper: a copy split between the caller and a helper thread is exact, for sizes below and
// above the split threshold, odd lengths, and many copies through the same helper.
#include "snapshot/copy_helper.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using cairn::detail::copy_helper;

TEST_CASE("copy_helper copies exactly, split or not", "[staging]") {
    constexpr std::size_t split = copy_helper::split_bytes;
    copy_helper h;
    std::uint64_t seed = 7;
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, split - 1, split, split + 1,
                                3 * split + 4095, std::size_t{1} << 25U}) {
        std::vector<unsigned char> src(n);
        for (auto& c : src) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            c = static_cast<unsigned char>(seed >> 56U);
        }
        // One guard byte after the destination: nothing is written past n.
        std::vector<unsigned char> dst(n + 1, 0xEE);
        h.copy(dst.data(), src.data(), n);
        CHECK(std::equal(src.begin(), src.end(), dst.begin()));
        CHECK(dst[n] == 0xEE);
    }
    // The same helper thread serves many copies in a row.
    std::vector<unsigned char> a(split * 2 + 333, 1);
    std::vector<unsigned char> b(a.size(), 0);
    for (int i = 0; i < 50; ++i) {
        a[static_cast<std::size_t>(i) * 1000] = static_cast<unsigned char>(i);
        a[a.size() - 1 - static_cast<std::size_t>(i)] = static_cast<unsigned char>(i + 1);
        h.copy(b.data(), a.data(), a.size());
        REQUIRE((a == b));  // a bool: Catch would print megabytes of operands
    }
}

TEST_CASE("parallel_staging: the helper is used where each rank has a core to spare",
          "[copy_helper]") {
    using cairn::detail::staging_split;
    using cairn::detail::use_copy_helper;
    CHECK(use_copy_helper(staging_split::on, 4, 2));
    CHECK_FALSE(use_copy_helper(staging_split::off, 1, 64));
    CHECK(use_copy_helper(staging_split::automatic, 1, 2));
    CHECK(use_copy_helper(staging_split::automatic, 32, 64));
    CHECK_FALSE(use_copy_helper(staging_split::automatic, 33, 64));
    CHECK_FALSE(use_copy_helper(staging_split::automatic, 4, 2));  // oversubscribed
    CHECK_FALSE(use_copy_helper(staging_split::automatic, 1, 1));  // bound to one core
    CHECK(cairn::detail::usable_cpus() >= 1);
}
