// The background preparation of staging memory (no MPI).
#include "snapshot/staging_pool.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace cairn::detail;

TEST_CASE("staging_pool prepares the requested memory, zeroed", "[staging]") {
    staging_pool pool;
    CHECK_FALSE(pool.busy());
    REQUIRE(pool.prepare({{"a", 10000}, {"b", 1}, {"c", 0}}));
    double waited = -1;
    std::string error = "x";
    staging_map m = pool.take(waited, error);
    CHECK(waited >= 0);
    CHECK(error.empty());
    REQUIRE(m.size() == 3);
    CHECK(m.at("a").size() == 10000);
    CHECK(std::all_of(m.at("a").begin(), m.at("a").end(), [](unsigned char c) { return c == 0; }));
    CHECK(m.at("b").size() == 1);
    CHECK(m.at("c").empty());
    CHECK_FALSE(pool.busy());
    CHECK(pool.take(waited, error).empty());  // taken once
}

TEST_CASE("staging_pool hands untaken memory to the next preparation", "[staging]") {
    staging_pool pool;
    REQUIRE(pool.prepare({{"a", 4096}, {"b", 100}}));
    double waited = 0;
    std::string error;
    // Wait for the first task without taking its memory.
    while (pool.busy()) {
    }
    REQUIRE(pool.prepare({{"a", 4096}, {"b", 200}, {"d", 8}}));
    staging_map m = pool.take(waited, error);
    REQUIRE(m.size() == 3);
    CHECK(m.at("a").size() == 4096);
    CHECK(m.at("b").size() == 200);
    CHECK(m.at("d").size() == 8);
}

TEST_CASE("staging_pool reports a failed allocation and hands over nothing", "[staging]") {
    staging_pool pool;
    REQUIRE(pool.prepare({{"ok", 16}, {"huge", static_cast<std::size_t>(-1)}}));
    double waited = 0;
    std::string error;
    staging_map m = pool.take(waited, error);
    CHECK(m.empty());
    CHECK_THAT(error, Catch::Contains("preparing staging memory failed"));
}

TEST_CASE("touched_memory returns zeroed memory of the size asked", "[staging]") {
    CHECK(touched_memory(0).empty());
    const staging_memory m = touched_memory(3 * 4096 + 5);
    CHECK(m.size() == 3 * 4096 + 5);
    CHECK(std::all_of(m.begin(), m.end(), [](unsigned char c) { return c == 0; }));
}
