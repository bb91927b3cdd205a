// Redundancy sets of the node-local tier without MPI: the configuration key, set formation over
// nodes and failure domains, the stripe layout and the erasure code (every loss it must survive).
#include "common/config.hpp"
#include "tier/erasure.hpp"
#include "tier/sets.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <numeric>
#include <random>
#include <set>
#include <string>

using namespace cairn::detail;

namespace {

// `per_node[i]` ranks on node i, consecutive ranks.
node_table nodes_of(const std::vector<int>& per_node) {
    node_table t;
    for (std::size_t n = 0; n < per_node.size(); ++n) {
        t.names.push_back("node" + std::to_string(n));
        for (int l = 0; l < per_node[n]; ++l) {
            t.node_of.push_back(static_cast<int>(n));
            t.local_of.push_back(l);
        }
    }
    return t;
}

}  // namespace

TEST_CASE("config redundancy", "[redundancy][config]") {
    const config d = load_config("", {});
    CHECK(d.redundancy == redundancy_kind::partner);
    CHECK(redundancy_name(d) == "partner");
    const config x = load_config("", {"CAIRN_REDUNDANCY=xor:4"});
    CHECK(x.redundancy == redundancy_kind::xor_set);
    CHECK(x.set_data == 3);
    CHECK(x.set_parity == 1);
    CHECK(redundancy_name(x) == "xor:4");
    const config r = load_config("", {"CAIRN_REDUNDANCY=RS:6+2"});
    CHECK(r.redundancy == redundancy_kind::rs);
    CHECK(r.set_data == 6);
    CHECK(r.set_parity == 2);
    CHECK(redundancy_name(r) == "rs:6+2");
    CHECK(load_config("", {"CAIRN_REDUNDANCY=partner"}).redundancy == redundancy_kind::partner);
    for (const char* badv : {"xor", "xor:1", "xor:65", "xor:x", "rs:4", "rs:0+2", "rs:4+0",
                             "rs:60+8", "rs:4+2+1", "rs:+2", "mirror", "xor:-3"}) {
        INFO(badv);
        try {
            load_config("", {std::string("CAIRN_REDUNDANCY=") + badv});
            FAIL("accepted");
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            CHECK(what.find("redundancy") != std::string::npos);
            CHECK(what.find("expected partner, xor:N") != std::string::npos);
        }
    }
    CHECK(load_config("", {"CAIRN_FAILURE_DOMAIN=env:RACK"}).failure_domain == "env:RACK");
    CHECK(load_config("", {"CAIRN_FAILURE_DOMAIN=host:^(r[0-9]+)"}).failure_domain ==
          "host:^(r[0-9]+)");
    CHECK(load_config("", {"CAIRN_FAILURE_DOMAIN=off"}).failure_domain.empty());
    CHECK_THROWS_WITH(load_config("", {"CAIRN_FAILURE_DOMAIN=host:(["}),
                      Catch::Contains("not a valid regular expression"));
    CHECK_THROWS_AS(load_config("", {"CAIRN_FAILURE_DOMAIN=rack"}), std::invalid_argument);
}

TEST_CASE("redundancy sets: one rank per node, sizes, leftovers", "[redundancy]") {
    SECTION("8 nodes of 2 ranks, sets of 4 nodes") {
        const node_table t = nodes_of({2, 2, 2, 2, 2, 2, 2, 2});
        const set_layout l = form_sets(t, {}, 4, 1);
        REQUIRE(l.sets.size() == 4);
        CHECK(l.sets[0].members == std::vector<int>{0, 2, 4, 6});
        CHECK(l.sets[1].members == std::vector<int>{1, 3, 5, 7});
        CHECK(l.sets[2].members == std::vector<int>{8, 10, 12, 14});
        CHECK(l.unprotected().empty());
        for (const auto& s : l.sets) {
            std::set<int> nodes;
            for (const int r : s.members) nodes.insert(t.node_of[static_cast<std::size_t>(r)]);
            CHECK(nodes.size() == s.members.size());
            for (std::size_t p = 0; p < s.members.size(); ++p) {
                CHECK(l.set_of[static_cast<std::size_t>(s.members[p])] == s.index);
                CHECK(l.position_of[static_cast<std::size_t>(s.members[p])] == static_cast<int>(p));
            }
        }
    }
    SECTION("leftover nodes join the first sets") {
        const set_layout l = form_sets(nodes_of({1, 1, 1, 1, 1, 1, 1}), {}, 3, 1);
        REQUIRE(l.sets.size() == 2);
        CHECK(l.sets[0].members == std::vector<int>{0, 1, 2, 6});
        CHECK(l.sets[1].members == std::vector<int>{3, 4, 5});
    }
    SECTION("fewer nodes than a set: one set if it can hold the parity") {
        CHECK(form_sets(nodes_of({1, 1, 1}), {}, 4, 2).sets.size() == 1);
        CHECK(form_sets(nodes_of({1, 1}), {}, 4, 2).sets.empty());
        CHECK(form_sets(nodes_of({1}), {}, 2, 1).sets.empty());
    }
    SECTION("a node with more ranks leaves its extra ranks unprotected") {
        const set_layout l = form_sets(nodes_of({3, 1, 1}), {}, 3, 1);
        REQUIRE(l.sets.size() == 1);
        CHECK(l.sets[0].members == std::vector<int>{0, 3, 4});
        CHECK(l.unprotected() == std::vector<int>{1, 2});
    }
}

TEST_CASE("redundancy sets spread over failure domains", "[redundancy]") {
    // Two racks of four nodes: nodes 0-3 in rack a, 4-7 in rack b. Sets of 4 nodes take two
    // nodes of each rack, so a whole rack lost costs each set two members, not four.
    const node_table t = nodes_of({1, 1, 1, 1, 1, 1, 1, 1});
    const std::vector<std::string> rack = {"a", "a", "a", "a", "b", "b", "b", "b"};
    const set_layout l = form_sets(t, rack, 4, 2);
    REQUIRE(l.sets.size() == 2);
    for (const auto& s : l.sets) {
        int in_a = 0;
        for (const int r : s.members) in_a += rack[static_cast<std::size_t>(r)] == "a" ? 1 : 0;
        CHECK(in_a == 2);
    }
    CHECK(failure_domain("host:^(rack[0-9]+)-", "rack12-node3") == "rack12");
    CHECK(failure_domain("host:[0-9]+", "n17") == "17");
    CHECK(failure_domain("host:^x", "n17").empty());
    CHECK(failure_domain("", "n17").empty());
    setenv("CAIRN_TEST_RACK", "r4", 1);
    CHECK(failure_domain("env:CAIRN_TEST_RACK", "n17") == "r4");
    unsetenv("CAIRN_TEST_RACK");
    CHECK(failure_domain("env:CAIRN_TEST_RACK", "n17").empty());
    CHECK(rank_ranges({7, 4, 5, 6, 1, 9, 10}) == "1,4-7,9,10");
    CHECK(rank_ranges({}).empty());
}

TEST_CASE("stripe map: every member holds k parity shares and m-k data segments",
          "[redundancy]") {
    for (int m = 2; m <= 7; ++m) {
        for (int k = 1; k < m; ++k) {
            const stripe_map sm{m, k};
            for (int p = 0; p < m; ++p) {
                CHECK(static_cast<int>(sm.data_stripes(p).size()) == m - k);
                const auto ps = sm.parity_stripes(p);
                REQUIRE(static_cast<int>(ps.size()) == k);
                for (int j = 0; j < k; ++j) CHECK(sm.holder(ps[static_cast<std::size_t>(j)], j) == p);
            }
            for (int s = 0; s < m; ++s) CHECK(static_cast<int>(sm.data_members(s).size()) == m - k);
        }
    }
}

namespace {

// Encodes one stripe of d random data cells, erases every combination of `lost` cells among
// data and parity, and checks that each lost data cell is rebuilt exactly from d others.
void check_every_loss(int d, int k, bool use_xor) {
    const std::size_t len = 4096 + 64;
    const erasure_code code(d, k, use_xor);
    std::mt19937 rng(static_cast<unsigned>(d * 31 + k));
    std::vector<aligned_bytes> cell;
    for (int i = 0; i < d + k; ++i) cell.emplace_back(len);
    for (int i = 0; i < d; ++i) {
        for (std::size_t b = 0; b < len; ++b) cell[static_cast<std::size_t>(i)].data()[b] = static_cast<unsigned char>(rng());
    }
    std::vector<unsigned char*> data;
    for (int i = 0; i < d; ++i) data.push_back(cell[static_cast<std::size_t>(i)].data());
    for (int j = 0; j < k; ++j) code.encode(j, len, data.data(), cell[static_cast<std::size_t>(d + j)].data());
    const int n = d + k;
    for (unsigned mask = 0; mask < (1U << n); ++mask) {
        if (__builtin_popcount(mask) != k) continue;
        std::vector<int> from;
        for (int i = 0; i < n && static_cast<int>(from.size()) < d; ++i) {
            if ((mask & (1U << i)) == 0) from.push_back(i);
        }
        std::vector<unsigned char*> src;
        for (const int i : from) src.push_back(cell[static_cast<std::size_t>(i)].data());
        for (int target = 0; target < d; ++target) {
            if ((mask & (1U << target)) == 0) continue;
            aligned_bytes out(len);
            code.decoder_for(from, target).apply(len, src.data(), out.data());
            INFO("d=" << d << " k=" << k << " lost mask " << mask << " target " << target);
            CHECK(std::equal(out.data(), out.data() + len, cell[static_cast<std::size_t>(target)].data()));
        }
    }
}

}  // namespace

TEST_CASE("erasure code rebuilds any k lost cells (ISA-L)", "[redundancy]") {
    for (int d = 1; d <= 5; ++d) check_every_loss(d, 1, true);
    for (int d = 1; d <= 4; ++d) {
        for (int k = 1; k <= 3; ++k) check_every_loss(d, k, false);
    }
    const erasure_code x(3, 1, true);
    CHECK_THROWS_AS(x.decoder_for({0, 1}, 2), std::invalid_argument);
    CHECK_THROWS_AS(x.decoder_for({0, 0, 1}, 2), std::invalid_argument);
    CHECK_THROWS_AS(erasure_code(3, 2, true), std::invalid_argument);
}
