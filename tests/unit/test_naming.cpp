#include "storage/naming.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sys/stat.h>

using namespace cairn::detail;

TEST_CASE("checkpoint names round trip", "[naming]") {
    CHECK(checkpoint_name(42) == "ckpt.000042.h5");
    CHECK(checkpoint_name(12345678) == "ckpt.12345678.h5");
    CHECK(temp_name(7) == "ckpt.000007.h5.tmp");
    CHECK(parse_checkpoint_name("ckpt.000042.h5") == 42u);
    CHECK(parse_checkpoint_name("ckpt.12345678.h5") == 12345678u);
    CHECK_FALSE(parse_checkpoint_name("ckpt.000042.h5.tmp"));
    CHECK_FALSE(parse_checkpoint_name("ckpt..h5"));
    CHECK_FALSE(parse_checkpoint_name("ckpt.4x.h5"));
    CHECK_FALSE(parse_checkpoint_name("other.000001.h5"));
    CHECK_FALSE(parse_checkpoint_name("ckpt.99999999999999999999.h5"));
    CHECK(parse_temp_name("ckpt.000007.h5.tmp") == 7u);
    CHECK_FALSE(parse_temp_name("ckpt.000007.h5"));
}

TEST_CASE("retention keeps the newest and never the protected one", "[naming]") {
    using v = std::vector<std::uint64_t>;
    CHECK(retention_victims(v{1, 2, 3, 4, 5}, 2, 5) == v{1, 2, 3});
    CHECK(retention_victims(v{5, 1, 3}, 2, 5) == v{1});
    CHECK(retention_victims(v{1, 2}, 2, 2).empty());
    CHECK(retention_victims(v{1, 2, 3}, 1, 1) == v{2});  // protected survives
    CHECK(retention_victims(v{1, 2, 3}, 0, 3) == v{1, 2});  // keep < 1 acts as 1
}

TEST_CASE("listing a checkpoint directory", "[naming]") {
    mkdir("listing", 0755);
    for (const char* f : {"ckpt.000003.h5", "ckpt.000010.h5", "ckpt.000011.h5.tmp", "notes.txt",
                          "ckpt.000001.h5", "ckpt.000002.h5.removing", "ckpt.x.h5.removing"}) {
        std::ofstream(std::string("listing/") + f) << "x";
    }
    const auto l = list_checkpoints("listing");
    CHECK(l.committed == std::vector<std::uint64_t>{1, 3, 10});
    CHECK(l.temps == std::vector<std::uint64_t>{11});
    CHECK(l.removing == std::vector<std::uint64_t>{2});
    CHECK(removing_name(2) == "ckpt.000002.h5.removing");
    CHECK(parse_removing_name("ckpt.000002.h5.tmp") == std::nullopt);
    CHECK(list_checkpoints("does-not-exist").committed.empty());
}
