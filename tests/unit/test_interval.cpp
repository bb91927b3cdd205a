#include "schedule/interval.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

using namespace cairn::detail;

TEST_CASE("Young and Daly intervals match the worked values", "[interval]") {
    struct row {
        double delta, mtbf, young, daly;
    };
    const row rows[] = {
        {60, 24 * 3600, 3219.9, 3180.1},
        {300, 6 * 3600, 3600.0, 3402.8},
        {600, 3600, 2078.5, 1697.7},
    };
    for (const auto& r : rows) {
        INFO("delta=" << r.delta << " M=" << r.mtbf);
        CHECK(young_interval(r.delta, r.mtbf) == Approx(r.young).margin(0.1));
        CHECK(daly_interval(r.delta, r.mtbf) == Approx(r.daly).margin(0.1));
    }
}

TEST_CASE("Daly returns M when delta >= 2M", "[interval]") {
    CHECK(daly_interval(7200, 3600) == 3600);
    CHECK(daly_interval(10000, 3600) == 3600);
    CHECK(daly_interval(7199, 3600) < 7200);
}

TEST_CASE("interval functions reject meaningless input", "[interval]") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(young_interval(0, 3600), std::invalid_argument);
    CHECK_THROWS_AS(young_interval(-1, 3600), std::invalid_argument);
    CHECK_THROWS_AS(young_interval(60, 0), std::invalid_argument);
    CHECK_THROWS_AS(young_interval(nan, 3600), std::invalid_argument);
    CHECK_THROWS_AS(daly_interval(60, -5), std::invalid_argument);
    CHECK_THROWS_AS(daly_interval(60, inf), std::invalid_argument);
    CHECK_THROWS_AS(expected_waste(0, 60, 0, 3600), std::invalid_argument);
    CHECK_THROWS_AS(expected_waste(600, -1, 0, 3600), std::invalid_argument);
    CHECK_THROWS_AS(expected_waste(600, 60, -1, 3600), std::invalid_argument);
    CHECK_THROWS_WITH(young_interval(-1, 3600), Catch::Contains("-1"));
}

TEST_CASE("Daly expected wall time and waste", "[interval]") {
    // No failures to speak of: T_w -> work (T + delta) / T.
    CHECK(daly_expected_walltime(1000, 100, 10, 0, 1e12) == Approx(1100).epsilon(1e-6));
    CHECK(expected_waste(100, 10, 0, 1e12) == Approx(10.0 / 110).epsilon(1e-6));
    // Closed form for one case.
    const double M = 3600, T = 1000, d = 60, R = 30;
    const double tw = M * std::exp(R / M) * (std::exp((T + d) / M) - 1) * 5000 / T;
    CHECK(daly_expected_walltime(5000, T, d, R, M) == Approx(tw).epsilon(1e-12));
    // The waste is (near) minimal at Daly's interval.
    const double delta = 300, mtbf = 6 * 3600;
    const double td = daly_interval(delta, mtbf);
    const double w = expected_waste(td, delta, 0, mtbf);
    CHECK(w < expected_waste(td * 0.5, delta, 0, mtbf));
    CHECK(w < expected_waste(td * 2, delta, 0, mtbf));
    CHECK(w <= expected_waste(young_interval(delta, mtbf), delta, 0, mtbf) + 1e-4);
    CHECK(w > 0);
    CHECK(w < 1);
}
