// Node-local tier pieces without MPI: rank images, partner mapping, local store, config keys.
#include "common/config.hpp"
#include "tier/image.hpp"
#include "tier/local_store.hpp"
#include "tier/topology.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <numeric>
#include <string>

using namespace cairn::detail;

namespace {

node_table table_of(const std::vector<int>& nodes) {
    node_table t;
    for (int n : nodes) {
        if (n >= t.nodes()) t.names.push_back("node" + std::to_string(n));
        int local = 0;
        for (int m : t.node_of) local += m == n ? 1 : 0;
        t.node_of.push_back(n);
        t.local_of.push_back(local);
    }
    return t;
}

struct sample {
    std::vector<double> grid = std::vector<double>(6 * 5);  // 4x3 block with a halo of 1
    std::vector<std::int32_t> ids{7, 8, 9};
    std::vector<buffer_desc> bufs;
    sample() {
        std::iota(grid.begin(), grid.end(), 0.5);
        buffer_desc g;
        g.name = "grid";
        g.data = grid.data();
        g.elem = cairn::type::float64;
        g.kind = buffer_kind::distributed;
        g.ndims = 2;
        g.global = {8, 3, 0};
        g.offset = {4, 0, 0};
        g.extent = {4, 3, 0};
        g.mem_shape = {6, 5, 0};
        g.mem_offset = {1, 1, 0};
        g.count = 12;
        buffer_desc p;
        p.name = "ids";
        p.data = ids.data();
        p.elem = cairn::type::int32;
        p.count = ids.size();
        bufs = {g, p};
    }
};

checkpoint_meta meta_of(std::uint64_t epoch) {
    checkpoint_meta m;
    m.epoch = epoch;
    m.safe_point = 40;
    m.color = 3;
    m.nranks = 2;
    m.app_name = "test";
    return m;
}

}  // namespace

TEST_CASE("rank image round trip skips halo cells", "[tier]") {
    sample a;
    channel_state chan;
    chan.messages.push_back({1, 0, 5, 2, {1, 2, 3}});
    chan.sent_white = {4, 5};
    const auto bytes = build_image(meta_of(7), 1, a.bufs, chan);
    CHECK(check_image(bytes).empty());
    const rank_image img = parse_image(bytes, "test");
    CHECK(img.rank == 1);
    CHECK(img.meta.epoch == 7);
    CHECK(img.meta.safe_point == 40);
    CHECK(img.meta.color == 3);
    CHECK(img.meta.app_name == "test");
    REQUIRE(img.buffers.size() == 2);
    CHECK(img.buffers[0].desc.bytes() == 12 * sizeof(double));
    REQUIRE(img.channel.messages.size() == 1);
    CHECK(img.channel.messages[0].payload == std::vector<unsigned char>{1, 2, 3});
    CHECK(img.channel.sent_white == std::vector<std::uint64_t>{4, 5});

    sample b;
    std::fill(b.grid.begin(), b.grid.end(), -1.0);
    std::fill(b.ids.begin(), b.ids.end(), 0);
    load_image(img, b.bufs);
    for (int i = 0; i < 6; ++i) {
        for (int j = 0; j < 5; ++j) {
            const bool inside = i >= 1 && i <= 4 && j >= 1 && j <= 3;
            const double want = inside ? a.grid[static_cast<std::size_t>(i * 5 + j)] : -1.0;
            CHECK(b.grid[static_cast<std::size_t>(i * 5 + j)] == want);
        }
    }
    CHECK(b.ids == a.ids);
}

TEST_CASE("rank image damage is detected", "[tier]") {
    sample a;
    auto bytes = build_image(meta_of(1), 0, a.bufs, {});
    SECTION("flipped byte") {
        bytes[bytes.size() / 2] ^= 0x40;
        CHECK(check_image(bytes).find("checksum mismatch") != std::string::npos);
        CHECK_THROWS_AS(parse_image(bytes, "x"), corrupt_error);
    }
    SECTION("truncated") {
        bytes.resize(bytes.size() - 3);
        CHECK(check_image(bytes).find("truncated") != std::string::npos);
    }
    SECTION("not an image") {
        bytes.assign(64, 0);
        CHECK(check_image(bytes) == "not a cairn rank image");
    }
}

namespace {

// A temporary directory removed with its files at the end of the scope.
struct temp_dir {
    std::string path;
    temp_dir() {
        char tmpl[] = "tier_img_XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~temp_dir() {
        for (const char* n : {"/img", "/img.tmp"}) std::remove((path + n).c_str());
        rmdir(path.c_str());
    }
};

// Writes the image of `bufs` to <dir>/img the way the local tier does (no whole-image copy).
std::string write_image_file(const temp_dir& d, const std::vector<buffer_desc>& bufs,
                             const channel_state& chan) {
    local_store s(d.path);
    const std::string path = d.path + "/img";
    image_writer w(meta_of(5), 1, bufs, chan);
    s.write_durable(path, [&w](const piece_fn& put) { w.emit(put); });
    return path;
}

void patch_file(const std::string& path, long at, unsigned char x) {
    std::FILE* f = std::fopen(path.c_str(), "r+b");
    REQUIRE(f != nullptr);
    std::fseek(f, at, SEEK_SET);
    const int c = std::fgetc(f);
    std::fseek(f, at, SEEK_SET);
    std::fputc(c ^ x, f);
    std::fclose(f);
}

}  // namespace

TEST_CASE("rank image streams from a file into the registered buffers", "[tier]") {
    temp_dir d;
    sample a;
    std::vector<float> var{1.5F, 2.5F, 3.5F, 4.5F, 5.5F};
    buffer_desc v;
    v.name = "var";
    v.data = var.data();
    v.elem = cairn::type::float32;
    v.count = var.size();
    v.variable = true;
    a.bufs.push_back(v);
    channel_state chan;
    chan.messages.push_back({1, 0, 5, 2, {4, 5}});
    chan.logged = {9};
    const std::string path = write_image_file(d, a.bufs, chan);
    const auto whole = local_store::read(path);
    REQUIRE(whole);
    CHECK(*whole == build_image(meta_of(5), 1, a.bufs, chan));  // same bytes either way
    CHECK(check_image(*whole).empty());

    sample b;
    std::fill(b.grid.begin(), b.grid.end(), -1.0);
    std::fill(b.ids.begin(), b.ids.end(), 0);
    std::vector<float> got;
    buffer_desc w = v;
    w.data = nullptr;
    w.count = 0;
    w.resize = [&got](std::size_t n) -> void* {
        got.resize(n);
        return got.data();
    };
    b.bufs.push_back(w);
    file_source src(path);
    REQUIRE(src.ok());
    int seen = -1;
    const image_head h = read_image(src, src.size(), path,
                                    [&](const image_head& x) { seen = x.rank; }, b.bufs);
    CHECK(seen == 1);
    CHECK(h.meta.epoch == 5);
    REQUIRE(h.channel.messages.size() == 1);
    CHECK(h.channel.messages[0].payload == std::vector<unsigned char>{4, 5});
    CHECK(h.channel.logged == std::vector<std::uint64_t>{9});
    for (int i = 0; i < 6; ++i) {
        for (int j = 0; j < 5; ++j) {
            const bool inside = i >= 1 && i <= 4 && j >= 1 && j <= 3;
            const double want = inside ? a.grid[static_cast<std::size_t>(i * 5 + j)] : -1.0;
            CHECK(b.grid[static_cast<std::size_t>(i * 5 + j)] == want);
        }
    }
    CHECK(b.ids == a.ids);
    CHECK(got == var);
    CHECK_FALSE(file_source(d.path + "/none").ok());
}

TEST_CASE("rank image damage in a file is detected while streaming", "[tier]") {
    temp_dir d;
    sample a;
    const std::string path = write_image_file(d, a.bufs, {});
    const auto whole = local_store::read(path);
    REQUIRE(whole);
    const auto size = static_cast<long>(whole->size());
    sample b;
    std::fill(b.grid.begin(), b.grid.end(), -1.0);
    const std::vector<double> untouched = b.grid;
    auto load = [&] {
        file_source src(path);
        REQUIRE(src.ok());
        return read_image(src, src.size(), path, {}, b.bufs);
    };
    SECTION("truncated in the middle of a buffer") {
        // The last 16 bytes of the grid block: cut the file inside that buffer's data.
        const long grid_end = size - 3 * 8 - 8 - static_cast<long>(3 * sizeof(std::int32_t));
        REQUIRE(truncate(path.c_str(), grid_end - 16) == 0);
        CHECK_THROWS_WITH(load(), Catch::Contains("truncated"));
        // A stream that ends before its announced length (e.g. a partner copy cut short).
        memory_source part(whole->data(), static_cast<std::size_t>(grid_end - 16));
        CHECK_THROWS_AS(read_image(part, whole->size(), "x", {}, b.bufs), corrupt_error);
    }
    SECTION("flipped byte in a buffer") {
        patch_file(path, size - 3 * 8 - 8 - 12 - 20, 0x08);
        CHECK_THROWS_WITH(load(), Catch::Contains("checksum mismatch in buffer 'grid'"));
    }
    SECTION("flipped byte in the header: no buffer is touched") {
        patch_file(path, 60, 0x01);
        CHECK_THROWS_WITH(load(), Catch::Contains("header checksum mismatch"));
        CHECK(b.grid == untouched);
    }
    SECTION("damaged trailer") {
        patch_file(path, size - 20, 0x01);
        CHECK_THROWS_AS(load(), corrupt_error);
    }
    SECTION("an image of format version 1 is rejected by name") {
        patch_file(path, 16, 2 ^ 1);  // version field 2 -> 1
        CHECK_THROWS_WITH(load(), Catch::Contains("format version 1 (this cairn reads version 2)"));
        CHECK(b.grid == untouched);
    }
    SECTION("registration mismatch is found before any data is read") {
        b.bufs[1].name = "other";
        CHECK_THROWS_AS(load(), mismatch_error);
        CHECK(b.grid == untouched);
    }
}

TEST_CASE("rank image that does not fit the registration", "[tier]") {
    sample a;
    const rank_image img = parse_image(build_image(meta_of(1), 0, a.bufs, {}), "x");
    sample b;
    b.bufs[1].name = "other";
    CHECK_THROWS_AS(load_image(img, b.bufs), mismatch_error);
    sample c;
    c.bufs[0].offset = {0, 0, 0};
    CHECK_THROWS_AS(load_image(img, c.bufs), mismatch_error);
}

TEST_CASE("partner mapping over a ring of nodes", "[tier]") {
    const node_table t = table_of({0, 0, 1, 1, 2, 2});
    CHECK(partner_of(t, 0, 1) == 2);
    CHECK(partner_of(t, 1, 1) == 3);
    CHECK(partner_of(t, 5, 1) == 1);
    CHECK(partner_of(t, 0, 2) == 4);
    CHECK(partner_of(t, 0, 0) == -1);
    CHECK(partner_of(t, 0, 3) == -1);  // back to the same node
    CHECK(partner_sources(t, 2, 1) == std::vector<int>{0});
    // Uneven nodes: node 1 has one rank, which holds both copies of node 0.
    const node_table u = table_of({0, 0, 1});
    CHECK(partner_of(u, 0, 1) == 2);
    CHECK(partner_of(u, 1, 1) == 2);
    CHECK(partner_of(u, 2, 1) == 0);
    CHECK(partner_sources(u, 2, 1) == std::vector<int>{0, 1});
    // One node: no partner.
    CHECK(partner_of(table_of({0, 0}), 0, 1) == -1);
}

TEST_CASE("local store: durable files, markers, listing, removal", "[tier]") {
    char tmpl[] = "tier_store_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    const std::string base = std::string(tmpl) + "/node0";
    local_store s(base);
    CHECK(s.committed().empty());
    s.write_durable(s.own_path(3, 1), {1, 2, 3});
    CHECK(s.committed().empty());
    CHECK(s.uncommitted() == std::vector<std::uint64_t>{3});
    tier_marker m;
    m.epoch = 3;
    m.nranks = 4;
    m.dir = "/shared/x";
    m.partner = true;
    s.write_marker(m);
    CHECK(s.committed() == std::vector<std::uint64_t>{3});
    CHECK(s.uncommitted().empty());
    const auto back = s.read_marker(3);
    REQUIRE(back);
    CHECK(back->nranks == 4);
    CHECK(back->dir == "/shared/x");
    CHECK(back->tiers() == "local,partner");
    CHECK_FALSE(s.read_marker(4));
    CHECK(*local_store::read(s.own_path(3, 1)) == std::vector<unsigned char>{1, 2, 3});
    CHECK_FALSE(local_store::read(s.own_path(3, 2)));
    CHECK(s.remove_epoch(3).empty());
    CHECK(s.committed().empty());
    CHECK_FALSE(local_store::read(s.own_path(3, 1)));
    rmdir(base.c_str());
    rmdir(tmpl);
}

TEST_CASE("config keys of the node-local tier", "[config][tier]") {
    const config d = load_config("", {});
    CHECK(d.local_dir.empty());
    CHECK(d.flush == flush_mode::every);
    CHECK(d.partner == 1);
    CHECK(d.node_split == 0);
    const config c = load_config("", {"CAIRN_LOCAL_DIR=/dev/shm/x", "CAIRN_FLUSH=every:3",
                                      "CAIRN_PARTNER=2", "CAIRN_NODE_SPLIT=ranks:2"});
    CHECK(c.local_dir == "/dev/shm/x");
    CHECK(c.flush == flush_mode::every_k);
    CHECK(c.flush_every == 3);
    CHECK(c.partner == 2);
    CHECK(c.node_split == 2);
    CHECK(load_config("", {"CAIRN_FLUSH=end"}).flush == flush_mode::end);
    CHECK_THROWS_AS(load_config("", {"CAIRN_FLUSH=sometimes"}), std::invalid_argument);
    CHECK_THROWS_AS(load_config("", {"CAIRN_FLUSH=every:0"}), std::invalid_argument);
    CHECK_THROWS_AS(load_config("", {"CAIRN_PARTNER=-1"}), std::invalid_argument);
    CHECK_THROWS_AS(load_config("", {"CAIRN_NODE_SPLIT=nodes:2"}), std::invalid_argument);
}
