#include "core/registry.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace cairn::detail;
using cairn::type;

TEST_CASE("registry accepts valid buffers", "[registry]") {
    registry r;
    std::vector<double> a(10);
    int step = 0;
    std::vector<float> grid(12 * 12);
    r.add_per_rank("a", a.data(), type::float64, a.size());
    r.add_per_rank("step", &step, type::int32, 1);
    r.add_distributed("grid", grid.data(), type::float32,
                      {{100, 40}, {10, 20}, {10, 10}, {12, 12}, {1, 1}});
    REQUIRE(r.buffers().size() == 3);
    CHECK(r.buffers()[2].count == 100);
    CHECK(r.buffers()[2].kind == buffer_kind::distributed);
    CHECK_FALSE(r.buffers()[2].contiguous());
    CHECK(r.buffers()[0].contiguous());
    CHECK(r.local_bytes() == 80 + 4 + 400);
    CHECK(r.signature() == "a:1:float64:1;step:1:int32:1;grid:2:float32:2:100:40;");
}

TEST_CASE("registry rejects bad registrations", "[registry]") {
    registry r;
    std::vector<double> a(10);
    r.add_per_rank("a", a.data(), type::float64, 10);
    CHECK_THROWS_WITH(r.add_per_rank("a", a.data() + 20, type::float64, 1),
                      Catch::Contains("already registered"));
    CHECK_THROWS_WITH(r.add_per_rank("b", a.data() + 5, type::float64, 2),
                      Catch::Contains("overlaps") && Catch::Contains("'a'"));
    CHECK_THROWS_WITH(r.add_per_rank("bad/name", nullptr, type::int8, 0),
                      Catch::Contains("[A-Za-z0-9_.-]"));
    CHECK_THROWS_WITH(r.add_per_rank("", nullptr, type::int8, 0), Catch::Contains("empty"));
    CHECK_THROWS_WITH(r.add_per_rank("n", nullptr, type::int8, 3), Catch::Contains("null"));
    CHECK_THROWS_WITH(r.add_per_rank("t", a.data(), static_cast<type>(99), 1),
                      Catch::Contains("invalid element type"));
    std::vector<double> g(16);
    CHECK_THROWS_WITH(r.add_distributed("g", g.data(), type::float64, {{4, 4, 4, 4}, {}, {}, {}, {}}),
                      Catch::Contains("1 to 3"));
    CHECK_THROWS_WITH(r.add_distributed("g", g.data(), type::float64, {{8}, {6}, {4}, {}, {}}),
                      Catch::Contains("exceeds global_shape"));
    CHECK_THROWS_WITH(r.add_distributed("g", g.data(), type::float64, {{8, 8}, {0}, {4, 4}, {}, {}}),
                      Catch::Contains("dimensions"));
    CHECK_THROWS_WITH(r.add_distributed("g", g.data(), type::float64, {{0}, {0}, {0}, {}, {}}),
                      Catch::Contains("zero dimension"));
    CHECK_THROWS_WITH(r.add_distributed("g", g.data(), type::float64, {{8}, {0}, {4}, {4}, {1}}),
                      Catch::Contains("does not fit"));
    // an empty block on this rank is fine
    r.add_distributed("g", nullptr, type::float64, {{8}, {8}, {0}, {}, {}});
    CHECK(r.buffers().back().count == 0);
}
