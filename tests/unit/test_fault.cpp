#include "common/config.hpp"
#include "common/fault.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using namespace cairn::detail;

TEST_CASE("fault spec parsing", "[config][fault]") {
    CHECK(fault::parse("").where == fault::point::none);
    CHECK(fault::parse("off").where == fault::point::none);

    const fault::spec a = fault::parse("written:2");
    CHECK(a.where == fault::point::written);
    CHECK(a.checkpoint == 2);
    CHECK(a.rank == -1);
    CHECK_FALSE(a.parent);

    const fault::spec b = fault::parse("stage:3:1");
    CHECK(b.where == fault::point::stage);
    CHECK(b.checkpoint == 3);
    CHECK(b.rank == 1);

    const fault::spec c = fault::parse("renamed:1:any:parent");
    CHECK(c.where == fault::point::renamed);
    CHECK(c.rank == -1);
    CHECK(c.parent);
    CHECK(fault::describe(c) == "renamed:1:any:parent");
    CHECK(fault::parse("write:4:0:self").where == fault::point::write);

    for (const char* badv : {"written", "written:0", "written:x", "written:2:-1", "written:2:0:x",
                             "commit:2", "written:2:0:self:1", "written:2x"}) {
        INFO(badv);
        CHECK_THROWS_AS(fault::parse(badv), std::invalid_argument);
    }
}

TEST_CASE("fault key in the configuration", "[config][fault]") {
    CHECK(load_config("", {}).fault.where == fault::point::none);
    const config c = load_config("", {"CAIRN_FAULT=Written:2:0"});
    CHECK(c.fault.where == fault::point::written);
    CHECK(c.fault.rank == 0);
    try {
        load_config("", {"CAIRN_FAULT=written"});
        FAIL("no error");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("CAIRN_FAULT") != std::string::npos);
        CHECK(std::string(e.what()).find("<point>:<checkpoint>") != std::string::npos);
    }
}

TEST_CASE("fault hook matches only the armed point, checkpoint and rank", "[fault]") {
    fault::arm(fault::parse("written:2:1"), 1, true);
    CHECK(fault::armed == fault::point::written);
    fault::begin_checkpoint();
    CHECK_FALSE(fault::matches(fault::point::written));  // checkpoint 1
    fault::begin_checkpoint();
    CHECK(fault::matches(fault::point::written));  // checkpoint 2
    CHECK_FALSE(fault::matches(fault::point::renamed));
    fault::begin_checkpoint();
    CHECK_FALSE(fault::matches(fault::point::written));  // checkpoint 3

    fault::arm(fault::parse("written:1:1"), 0, true);  // another rank: disarmed here
    CHECK(fault::armed == fault::point::none);

    fault::arm(fault::parse("stage:1"), 3, false);  // blocking mode: no staging copy
    CHECK(fault::armed == fault::point::write);
    fault::begin_checkpoint();
    CHECK(fault::matches(fault::point::write));
    fault::disarm();
    CHECK(fault::armed == fault::point::none);
    CHECK_FALSE(fault::matches(fault::point::write));
}
