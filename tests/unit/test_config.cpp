#include "common/config.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

using namespace cairn::detail;

namespace {
std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("config defaults", "[config]") {
    const config c = load_config("", {});
    CHECK(c.dir == "cairn-checkpoints");
    CHECK(c.keep == 2);
    CHECK(c.verbose == 1);
    CHECK(c.interval == interval_mode::daly);
    CHECK(c.restart == restart_mode::automatic);
    CHECK(c.signals == std::vector<int>{SIGUSR1});
    CHECK(c.history_path() == "cairn-checkpoints/history");
}

TEST_CASE("config from the environment", "[config]") {
    const config c = load_config("", {"CAIRN_DIR=/scratch/x", "CAIRN_KEEP=5", "CAIRN_VERBOSE=0",
                                      "CAIRN_INTERVAL=steps:10", "CAIRN_RESTART=never",
                                      "CAIRN_SIGNAL=usr1,TERM", "CAIRN_NODE_MTBF=2d",
                                      "CAIRN_ON_ERROR=abort", "OTHER=1"});
    CHECK(c.dir == "/scratch/x");
    CHECK(c.keep == 5);
    CHECK(c.verbose == 0);
    CHECK(c.interval == interval_mode::steps);
    CHECK(c.interval_steps == 10);
    CHECK(c.restart == restart_mode::never);
    CHECK(c.signals == std::vector<int>{SIGUSR1, SIGTERM});
    CHECK(c.node_mtbf == Approx(172800.0));
    CHECK(c.abort_on_error);
}

TEST_CASE("config interval forms", "[config]") {
    CHECK(load_config("", {"CAIRN_INTERVAL=fixed:10m"}).interval_seconds == Approx(600));
    CHECK(load_config("", {"CAIRN_INTERVAL=90"}).interval == interval_mode::fixed);
    CHECK(load_config("", {"CAIRN_INTERVAL=off"}).interval == interval_mode::off);
    CHECK(load_config("", {"CAIRN_INTERVAL=never"}).interval == interval_mode::off);
    CHECK(load_config("", {"CAIRN_INTERVAL=None"}).interval == interval_mode::off);
    CHECK(load_config("", {"CAIRN_INTERVAL=young"}).interval == interval_mode::young);
    CHECK(load_config("", {"CAIRN_SIGNAL=none"}).signals.empty());
}

TEST_CASE("config run identity keys", "[config]") {
    CHECK_FALSE(load_config("", {}).run_key_set);
    const config c = load_config("", {"CAIRN_RUN_KEY=case 42"});
    CHECK(c.run_key_set);
    CHECK(c.run_key == "case 42");
    CHECK(load_config("", {"CAIRN_RUN_KEY="}).run_key_set);  // an empty key is a key
    CHECK(load_config("", {"CAIRN_RESTART=force"}).restart == restart_mode::force);
    CHECK_THROWS_WITH(load_config("", {"CAIRN_RESTART=sometimes"}),
                      Catch::Contains("auto, never, required or force"));
}

TEST_CASE("config compression", "[config]") {
    CHECK(load_config("", {}).deflate_level == 0);
    CHECK(load_config("", {"CAIRN_COMPRESSION=none"}).deflate_level == 0);
    CHECK(load_config("", {"CAIRN_COMPRESSION=deflate"}).deflate_level == 1);
    CHECK(load_config("", {"CAIRN_COMPRESSION=Deflate:9"}).deflate_level == 9);
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_COMPRESSION=deflate:0"}); }),
               Catch::Contains("between 1 and 9"));
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_COMPRESSION=zstd"}); }),
               Catch::Contains("compression") && Catch::Contains("deflate:LEVEL"));
}

TEST_CASE("config parallel_staging", "[config]") {
    CHECK(load_config("", {}).parallel_staging == staging_split::automatic);
    CHECK(load_config("", {"CAIRN_PARALLEL_STAGING=off"}).parallel_staging == staging_split::off);
    CHECK(load_config("", {"CAIRN_PARALLEL_STAGING=on"}).parallel_staging == staging_split::on);
    CHECK(load_config("", {"CAIRN_PARALLEL_STAGING=Auto"}).parallel_staging ==
          staging_split::automatic);
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_PARALLEL_STAGING=2"}); }),
               Catch::Contains("parallel_staging") && Catch::Contains("expected auto, on or off"));
}

TEST_CASE("config direct_io", "[config]") {
    CHECK(load_config("", {}).direct_io);
    CHECK_FALSE(load_config("", {"CAIRN_DIRECT_IO=off"}).direct_io);
    CHECK(load_config("", {"CAIRN_DIRECT_IO=on"}).direct_io);
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_DIRECT_IO=maybe"}); }),
               Catch::Contains("direct_io") && Catch::Contains("expected on or off"));
}

TEST_CASE("config staging_prefault", "[config]") {
    CHECK(load_config("", {}).staging_prefault);
    CHECK_FALSE(load_config("", {"CAIRN_STAGING_PREFAULT=off"}).staging_prefault);
    CHECK(load_config("", {"CAIRN_STAGING_PREFAULT=on"}).staging_prefault);
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_STAGING_PREFAULT=later"}); }),
               Catch::Contains("staging_prefault") && Catch::Contains("expected on or off"));
}

TEST_CASE("config rejects bad input with a clear message", "[config]") {
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_KEPP=3"}); }),
               Catch::Contains("CAIRN_KEPP") && Catch::Contains("unknown key") &&
                   Catch::Contains("keep"));
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_KEEP=0"}); }),
               Catch::Contains("between 1 and"));
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_KEEP=two"}); }),
               Catch::Contains("expected an integer"));
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_KEEP=3x"}); }),
               Catch::Contains("expected an integer"));
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_INTERVAL=steps:0"}); }),
               Catch::Contains("interval"));
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_INTERVAL=sometimes"}); }),
               Catch::Contains("steps:N"));
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_INTERVAL=fixed:0"}); }),
               Catch::Contains("longer than zero"));
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_RESTART=maybe"}); }),
               Catch::Contains("auto, never, required or force"));
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_SIGNAL=KILL"}); }),
               Catch::Contains("USR1"));
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_DIR="}); }), Catch::Contains("empty"));
    CHECK_THAT(error_of([] { load_config("", {"CAIRN_NODE_MTBF=-5h"}); }),
               Catch::Contains("node_mtbf"));
    CHECK_THAT(error_of([] { load_config("/nonexistent/cairn.conf", {}); }),
               Catch::Contains("cannot read config file"));
}

TEST_CASE("config file", "[config]") {
    {
        std::ofstream f("test-good.conf");
        f << "# a comment\n\ndir = ckpts   # trailing comment\nkeep=4\ninterval = steps:3\n";
    }
    const config c = load_config("test-good.conf", {"CAIRN_KEEP=7"});
    CHECK(c.dir == "ckpts");
    CHECK(c.keep == 7);  // the environment wins over the file
    CHECK(c.interval_steps == 3);
    CHECK(c.config_file == "test-good.conf");
    const config c2 = load_config("", {"CAIRN_CONFIG=test-good.conf"});
    CHECK(c2.keep == 4);
    {
        std::ofstream f("test-bad.conf");
        f << "dir = x\nretention = 3\n";
    }
    CHECK_THAT(error_of([] { load_config("test-bad.conf", {}); }),
               Catch::Contains("test-bad.conf:2") && Catch::Contains("unknown key 'retention'"));
    {
        std::ofstream f("test-bad2.conf");
        f << "just some words\n";
    }
    CHECK_THAT(error_of([] { load_config("test-bad2.conf", {}); }),
               Catch::Contains("test-bad2.conf:1") && Catch::Contains("key = value"));
}
