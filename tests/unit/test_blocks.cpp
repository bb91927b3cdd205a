#include "storage/blocks.hpp"
#include "storage/checksum.hpp"
#include "common/config.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace cairn::detail;

namespace {
std::vector<unsigned char> random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<unsigned char> v(n);
    for (auto& x : v) x = static_cast<unsigned char>(rng());
    return v;
}
}  // namespace

TEST_CASE("block hashes find exactly the changed blocks", "[blocks]") {
    const std::size_t block = 512;
    std::vector<unsigned char> a = random_bytes(5000, 1);  // 10 blocks, the last one short
    const auto ha = block_hashes(a.data(), a.size(), block);
    REQUIRE(ha.size() == 10);
    std::vector<unsigned char> b = a;
    b[0] ^= 1;
    b[3 * block + 7] ^= 1;
    b[4999] ^= 1;
    const auto hb = block_hashes(b.data(), b.size(), block);
    const buffer_change c =
        diff_blocks(b.data(), b.size(), block, hb, ha, false, hashes_checksum(hb));
    CHECK(c.blocks == std::vector<std::uint64_t>{0, 3, 9});
    CHECK(c.bytes.size() == 2 * block + (5000 - 9 * block));
    std::vector<unsigned char> s = a;
    CHECK(apply_blocks(s, b.size(), block, c.blocks, c.bytes).empty());
    CHECK(s == b);
    CHECK(state_checksum(s.data(), s.size(), block) == c.checksum);
    CHECK(state_checksum(a.data(), a.size(), block) != c.checksum);
}

TEST_CASE("a size change stores the buffer whole and resizes on apply", "[blocks]") {
    const std::size_t block = 100;
    const std::vector<unsigned char> a = random_bytes(250, 2);
    const std::vector<unsigned char> b = random_bytes(420, 3);
    const auto hb = block_hashes(b.data(), b.size(), block);
    const buffer_change c = diff_blocks(b.data(), b.size(), block, hb,
                                        block_hashes(a.data(), a.size(), block), true, 0);
    CHECK(c.blocks.size() == 5);
    CHECK(c.bytes == b);
    std::vector<unsigned char> s = a;
    CHECK(apply_blocks(s, b.size(), block, c.blocks, c.bytes).empty());
    CHECK(s == b);
    // Shrinking: the whole (smaller) buffer is stored.
    std::vector<unsigned char> t = b;
    const auto ha = block_hashes(a.data(), a.size(), block);
    const buffer_change d = diff_blocks(a.data(), a.size(), block, ha, hb, true, 0);
    CHECK(apply_blocks(t, a.size(), block, d.blocks, d.bytes).empty());
    CHECK(t == a);
}

TEST_CASE("inconsistent stored blocks are reported, not applied out of range", "[blocks]") {
    std::vector<unsigned char> s(300, 0);
    const std::vector<unsigned char> bytes(100, 1);
    CHECK_THAT(apply_blocks(s, 300, 100, {3}, bytes), Catch::Contains("beyond"));
    CHECK_THAT(apply_blocks(s, 300, 100, {1, 1}, std::vector<unsigned char>(200, 1)),
               Catch::Contains("ascending"));
    CHECK_THAT(apply_blocks(s, 300, 100, {0}, std::vector<unsigned char>(99, 1)),
               Catch::Contains("do not match"));
    CHECK(change_checksum({1}, bytes) != change_checksum({2}, bytes));
}

TEST_CASE("incremental configuration keys", "[config][blocks]") {
    const config d = load_config("", {});
    CHECK_FALSE(d.incremental);
    CHECK(d.block_size == 64 * 1024);
    CHECK(d.full_every == 8);
    const config c =
        load_config("", {"CAIRN_INCREMENTAL=on", "CAIRN_BLOCK_SIZE=1MiB", "CAIRN_FULL_EVERY=3"});
    CHECK(c.incremental);
    CHECK(c.block_size == 1024 * 1024);
    CHECK(c.full_every == 3);
    CHECK_THROWS_WITH(load_config("", {"CAIRN_INCREMENTAL=maybe"}),
                      Catch::Contains("expected on or off"));
    CHECK_THROWS_WITH(load_config("", {"CAIRN_BLOCK_SIZE=100"}),
                      Catch::Contains("between 512 bytes and 1GiB"));
    CHECK_THROWS_WITH(load_config("", {"CAIRN_FULL_EVERY=0"}), Catch::Contains("full_every"));
}
