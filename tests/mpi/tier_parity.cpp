// Redundancy sets between ranks (runtime/tier/parity_*) with a 4 KiB chunk, so that segments
// span several chunks (both halves of the encoding pipeline) and images of different sizes are
// padded: every loss of k members rebuilt and verified, k+1 losses reported, a damaged parity
// file left out. 4 ranks, one per simulated node, each with its own directory.
#include "tier/image.hpp"
#include "tier/local_store.hpp"
#include "tier/parity.hpp"
#include "tier/sets.hpp"

#include <catch2/catch.hpp>
#include <mpi.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using namespace cairn::detail;

namespace {

constexpr std::size_t small_chunk = 4096;
constexpr std::uint64_t epoch = 3;

int rank_of() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

// Rank r's state: n(r) doubles whose values name the rank (sizes differ between ranks).
std::size_t count_of(int r) { return 3000 + 700 * static_cast<std::size_t>(r); }

struct state {
    std::vector<double> v;
    std::vector<buffer_desc> bufs;
    state(int owner, bool fill) : v(count_of(owner), -1.0) {
        if (fill) {
            for (std::size_t i = 0; i < v.size(); ++i) v[i] = 1000.0 * owner + static_cast<double>(i);
        }
        buffer_desc b;
        b.name = "v";
        b.data = v.data();
        b.elem = cairn::type::float64;
        b.count = v.size();
        bufs.push_back(b);
    }
    [[nodiscard]] bool is_of(int owner) const {
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (v[i] != 1000.0 * owner + static_cast<double>(i)) return false;
        }
        return true;
    }
};

node_table four_nodes() {
    node_table t;
    for (int n = 0; n < 4; ++n) {
        t.names.push_back("node" + std::to_string(n));
        t.node_of.push_back(n);
        t.local_of.push_back(0);
    }
    return t;
}

// This rank's node directory with its image of the epoch written.
local_store write_own(const std::string& tag) {
    const int r = rank_of();
    local_store store("parity_mpi." + tag + "/node" + std::to_string(r));
    state s(r, true);
    checkpoint_meta m;
    m.epoch = epoch;
    m.nranks = 4;
    image_writer w(m, r, s.bufs, {});
    store.write_durable(store.own_path(epoch, r), [&w](const piece_fn& put) { w.emit(put); });
    return store;
}

void flip_byte(const std::string& path, std::streamoff at) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(f);
    f.seekg(at);
    char c = 0;
    f.get(c);
    f.seekp(at);
    f.put(static_cast<char>(c ^ 0x10));
}

// Encodes, then "loses" the ranks in `lost` (no own image, no parity file) and rebuilds.
parity_sets::rebuild_result lose(parity_sets& ps, const local_store& store,
                                 const std::vector<int>& lost, state& got) {
    const int r = rank_of();
    REQUIRE(ps.encode(store, epoch, 4).empty());
    std::vector<int> have(4, 1);
    for (const int l : lost) have[static_cast<std::size_t>(l)] = 0;
    if (have[static_cast<std::size_t>(r)] == 0) std::remove(store.parity_path(epoch, r).c_str());
    auto res = ps.rebuild(store, epoch, have, 0);
    if (res.image) load_image(*res.image, got.bufs);  // rebuild() itself loads nothing
    return res;
}

void check_every_loss(const std::string& tag, int k, bool use_xor) {
    const int r = rank_of();
    const local_store store = write_own(tag);
    parity_sets ps(MPI_COMM_WORLD, form_sets(four_nodes(), {}, 4, k), k, use_xor, small_chunk);
    REQUIRE(ps.layout().sets.size() == 1);
    for (unsigned mask = 1; mask < 16; ++mask) {
        std::vector<int> lost;
        for (int i = 0; i < 4; ++i) {
            if ((mask & (1U << i)) != 0) lost.push_back(i);
        }
        if (static_cast<int>(lost.size()) > k + 1) continue;
        state got(r, false);
        const auto res = lose(ps, store, lost, got);
        const bool mine = (mask & (1U << r)) != 0;
        INFO(tag << " lost mask " << mask << " on rank " << r);
        if (static_cast<int>(lost.size()) <= k) {
            CHECK(res.missing.empty());
            REQUIRE(res.rebuilt.size() == 1);
            CHECK(res.rebuilt[0].second == lost);
            if (mine) {  // CHECK, not REQUIRE: every rank must stay in the collective loop
                CHECK(res.error.empty());
                CHECK(res.image.has_value());
                CHECK((res.image && res.image->rank == r));
                CHECK(got.is_of(r));
            } else {
                CHECK_FALSE(res.image);
            }
        } else {
            CHECK(res.missing == lost);
            CHECK(res.why.find("its parity rebuilds at most " + std::to_string(k)) != std::string::npos);
            CHECK_FALSE(res.image);
        }
    }
}

}  // namespace

TEST_CASE("xor:4 rebuilds any one lost member, reports two", "[tier][mpi][redundancy]") {
    check_every_loss("xor", 1, true);
}

TEST_CASE("rs:2+2 rebuilds any two lost members, reports three", "[tier][mpi][redundancy]") {
    check_every_loss("rs", 2, false);
}

TEST_CASE("rs:2+2: a damaged parity file is left out, the other share used",
          "[tier][mpi][redundancy]") {
    const int r = rank_of();
    const local_store store = write_own("damaged");
    parity_sets ps(MPI_COMM_WORLD, form_sets(four_nodes(), {}, 4, 2), 2, false, small_chunk);
    REQUIRE(ps.encode(store, epoch, 4).empty());
    // Rank 1 lost. Its segment in stripe 2 comes from rank 0's data and rank 2's parity share 0,
    // unless rank 2's parity file is damaged: then rank 3's share 1 is used.
    if (r == 2) flip_byte(store.parity_path(epoch, r), 300);
    if (r == 1) std::remove(store.parity_path(epoch, r).c_str());
    std::vector<int> have = {1, 0, 1, 1};
    state got(r, false);
    const auto res = ps.rebuild(store, epoch, have, 0);
    CHECK(res.missing.empty());
    if (r == 1) {
        CHECK(res.error.empty());
        CHECK(res.image.has_value());
        if (res.image) load_image(*res.image, got.bufs);
        CHECK(got.is_of(1));
    }
    // Damaged too: rank 3's file. Stripe 2 then has one verified cell of the two it needs.
    REQUIRE(ps.encode(store, epoch, 4).empty());
    if (r == 2 || r == 3) flip_byte(store.parity_path(epoch, r), 300);
    if (r == 1) std::remove(store.parity_path(epoch, r).c_str());
    state again(r, false);
    const auto bad = ps.rebuild(store, epoch, have, 0);
    CHECK(bad.missing == std::vector<int>{1});
    CHECK(bad.why.find("verified cells needed to rebuild ranks 1") != std::string::npos);
}
