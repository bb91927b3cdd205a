#include "common/duration.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

using namespace cairn::detail;

TEST_CASE("durations parse with units", "[duration]") {
    CHECK(parse_duration("600") == 600);
    CHECK(parse_duration("90s") == 90);
    CHECK(parse_duration("10m") == 600);
    CHECK(parse_duration("6h") == 21600);
    CHECK(parse_duration("1.5d") == 129600);
    CHECK(parse_duration("1h30m") == 5400);
    CHECK(parse_duration("1d2h3m4s") == 86400 + 7200 + 180 + 4);
    CHECK(parse_duration("0.5") == 0.5);
    CHECK(parse_duration(" 20s ") == 20);
    CHECK(parse_duration("0") == 0);
}

TEST_CASE("bad durations are rejected naming the text and the reason", "[duration]") {
    const char* bad[] = {"",    "h",    "6x",  "-5m",   "nan",   "NaN", "inf",
                         "abc", "1h30", "5 m", "1e999", "1..5s", "m5"};
    for (const char* text : bad) {
        INFO("text=\"" << text << "\"");
        CHECK_THROWS_AS(parse_duration(text), std::invalid_argument);
        try {
            parse_duration(text);
        } catch (const std::invalid_argument& e) {
            CHECK_THAT(e.what(), Catch::Contains("\"" + std::string(text) + "\""));
        }
    }
    CHECK_THROWS_WITH(parse_duration(""), Catch::Contains("empty"));
    CHECK_THROWS_WITH(parse_duration("-5m"), Catch::Contains("negative"));
    CHECK_THROWS_WITH(parse_duration("6x"), Catch::Contains("unknown unit 'x'"));
    CHECK_THROWS_WITH(parse_duration("h"), Catch::Contains("without a number"));
}

TEST_CASE("durations format for people", "[duration]") {
    CHECK(format_duration(3219.9) == "3219.9 s (53m40s)");
    CHECK(format_duration(3600) == "3600.0 s (1h)");
    CHECK(format_duration(45) == "45.0 s (45s)");
    CHECK(format_duration(0) == "0.000 s");
    CHECK(format_duration(0.0682) == "0.068 s");
    CHECK(format_duration(1) == "1.0 s (1s)");
    CHECK(format_duration(90061) == "90061.0 s (1d1h1m1s)");
}
