// Incremental (delta) checkpoints through the public API: random change patterns over many
// epochs restore to the expected state, a damaged or missing link falls back to the last good
// state, retention keeps every chain a kept checkpoint needs, another rank count is a clear
// error. Leaves inc_tool/ (a chain and a full reference of its newest state) for the tool test.
#include "h5/checkpoint_file.hpp"
#include "storage/naming.hpp"

#include <mpi.h>
#include <stdlib.h>
#include <cairn/cairn.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace cd = cairn::detail;

namespace {

int world_rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}
int world_size() {
    int s = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
}

void fresh(const std::string& dir, int full_every, int keep) {
    if (world_rank() == 0) fs::remove_all(dir);
    MPI_Barrier(MPI_COMM_WORLD);
    setenv("CAIRN_DIR", dir.c_str(), 1);
    setenv("CAIRN_INTERVAL", "off", 1);
    setenv("CAIRN_VERBOSE", "1", 1);
    setenv("CAIRN_KEEP", std::to_string(keep).c_str(), 1);
    setenv("CAIRN_INCREMENTAL", "on", 1);
    setenv("CAIRN_BLOCK_SIZE", "4KiB", 1);
    setenv("CAIRN_FULL_EVERY", std::to_string(full_every).c_str(), 1);
    unsetenv("CAIRN_RESTART");
}

constexpr std::uint64_t ny = 48;
constexpr std::uint64_t nx = 40;

// Application state: a scalar, per-rank bytes (not a multiple of the block size), a 2-D
// distributed grid with a halo, a resizable vector and an object.
struct state {
    std::uint64_t step = 0;
    std::vector<std::uint8_t> bytes;
    std::vector<double> grid;  // (ny+2) x (nx+2)
    std::vector<std::int32_t> vec;
    std::string note;

    state()
        : bytes(150000 + 777 * static_cast<std::size_t>(world_rank())),
          grid((ny + 2) * (nx + 2), -7.0),
          vec(3000) {}

    void register_all() {
        const auto r = static_cast<std::uint64_t>(world_rank());
        const auto p = static_cast<std::uint64_t>(world_size());
        cairn::register_scalar("step", step);
        cairn::register_buffer("bytes", bytes.data(), bytes.size());
        cairn::register_distributed(
            "grid", grid.data(), {{ny * p, nx}, {ny * r, 0}, {ny, nx}, {ny + 2, nx + 2}, {1, 1}});
        cairn::register_vector("vec", vec);
        cairn::register_object(
            "note", "note-v1", [this](cairn::byte_writer& w) { w.put_string(note); },
            [this](cairn::byte_reader& rd) { note = rd.get_string(); });
    }

    // A different change pattern per epoch: nothing, a few bytes, a range, many bytes; grid
    // cells; the vector resized now and then; the object's size changes.
    void mutate(std::uint64_t epoch) {
        std::mt19937_64 rng(epoch * 7919 + static_cast<std::uint64_t>(world_rank()));
        step = epoch;
        auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
        switch (epoch % 4) {
            case 0:
                break;
            case 1:
                for (int k = 0; k < 3; ++k) bytes[pick(bytes.size())] ^= 0xA5;
                break;
            case 2: {
                const std::size_t a = pick(bytes.size());
                const std::size_t b = std::min(bytes.size(), a + 9000);
                for (std::size_t i = a; i < b; ++i) bytes[i] = static_cast<std::uint8_t>(rng());
                break;
            }
            default:
                for (auto& x : bytes) {
                    if (rng() % 3 == 0) x = static_cast<std::uint8_t>(rng());
                }
        }
        const std::size_t cells = epoch % 3 == 0 ? 0 : 1 + pick(20);
        for (std::size_t k = 0; k < cells; ++k) {
            grid[(1 + pick(ny)) * (nx + 2) + 1 + pick(nx)] = static_cast<double>(rng() % 1000);
        }
        if (epoch % 5 == 2) vec.resize(2000 + pick(3000));
        if (!vec.empty()) vec[pick(vec.size())] = static_cast<std::int32_t>(epoch);
        if (epoch % 2 == 1) note = "epoch " + std::to_string(epoch) + std::string(pick(50), '*');
    }

    void clear() {
        step = 0;
        std::fill(bytes.begin(), bytes.end(), 0);
        for (std::uint64_t i = 0; i < ny; ++i)
            for (std::uint64_t j = 0; j < nx; ++j) grid[(i + 1) * (nx + 2) + j + 1] = 0;
        vec.assign(1, 0);
        note.clear();
    }

    bool same_as(const state& o) const {
        if (step != o.step || bytes != o.bytes || vec != o.vec || note != o.note) return false;
        for (std::uint64_t i = 0; i < ny; ++i)
            for (std::uint64_t j = 0; j < nx; ++j)
                if (grid[(i + 1) * (nx + 2) + j + 1] != o.grid[(i + 1) * (nx + 2) + j + 1])
                    return false;
        return true;
    }
};

// Takes checkpoints of epochs 1..n with state.mutate(e); returns the state of every epoch.
std::vector<state> write_chain(int n) {
    std::vector<state> expected(1);
    cairn::init();
    state s;
    s.register_all();
    CHECK_FALSE(cairn::restore());
    for (int e = 1; e <= n; ++e) {
        s.mutate(static_cast<std::uint64_t>(e));
        cairn::checkpoint_now();
        CHECK(cairn::epoch() == static_cast<std::uint64_t>(e));
        expected.push_back(s);
    }
    cairn::finalize();
    return expected;
}

// Restores in a fresh init; returns the epoch restored (0 = none) and the state in `out`.
std::uint64_t restore_into(state& out) {
    cairn::init();
    out.clear();
    out.register_all();
    const bool ok = cairn::restore();
    const std::uint64_t e = ok ? cairn::epoch() : 0;
    cairn::finalize();
    return e;
}

bool all_ranks(bool v) {
    int in = v ? 1 : 0;
    int out = 0;
    MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return out != 0;
}

std::string file_of(const std::string& dir, std::uint64_t e) {
    return dir + "/" + cd::checkpoint_name(e);
}

// Rank 0: "full" or "delta" of checkpoint e.
std::string kind_of(const std::string& dir, std::uint64_t e) {
    return cd::inspect_checkpoint_file(file_of(dir, e)).kind;
}

void flip_byte(const std::string& file, const std::string& dataset) {
    if (world_rank() != 0) return;
    const std::uint64_t off = cd::dataset_file_offset(file, dataset);
    const std::uint64_t size = cd::dataset_storage_bytes(file, dataset);
    std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(static_cast<std::streamoff>(off + size / 2));
    char ch = 0;
    io.read(&ch, 1);
    ch = static_cast<char>(ch ^ 0x5A);
    io.seekp(static_cast<std::streamoff>(off + size / 2));
    io.write(&ch, 1);
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const cairn::error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("random change patterns over many epochs restore exactly; retention keeps chains",
          "[incremental]") {
    const std::string dir = "inc_random";
    fresh(dir, 4, 3);
    const std::vector<state> expected = write_chain(12);

    // full_every = 4: a full checkpoint, then four deltas.
    if (world_rank() == 0) {
        const auto l = cd::list_checkpoints(dir);
        // keep = 3 keeps 10, 11, 12; 12 needs 11; 10 needs 6..9; 1..5 are removed.
        CHECK(l.committed == std::vector<std::uint64_t>{6, 7, 8, 9, 10, 11, 12});
        CHECK(kind_of(dir, 6) == "full");
        CHECK(kind_of(dir, 7) == "delta");
        CHECK(kind_of(dir, 10) == "delta");
        CHECK(kind_of(dir, 11) == "full");
        CHECK(kind_of(dir, 12) == "delta");
        const auto s = cd::inspect_checkpoint_file(file_of(dir, 9));
        CHECK(s.base_epoch == 6);
        CHECK(s.parent_epoch == 8);
        CHECK(s.chain == std::vector<std::uint64_t>{6, 7, 8});
        // Epoch 8 (8 % 4 == 0) leaves the bytes alone: far less stored than the buffers hold.
        const auto d8 = cd::inspect_checkpoint_file(file_of(dir, 8));
        std::uint64_t total = 0;
        for (const auto& d : d8.datasets) total += d.bytes;
        CHECK(d8.stored_bytes * 4 < total);
        for (std::uint64_t e = 6; e <= 12; ++e)
            CHECK(cd::verify_checkpoint_file(file_of(dir, e)).empty());
    }
    // Restore every epoch still on disk, newest first, by removing the newer files.
    for (std::uint64_t e = 12; e >= 6; --e) {
        state got;
        const std::uint64_t restored = restore_into(got);
        CHECK(restored == e);
        CHECK(all_ranks(got.same_as(expected[e])));
        if (world_rank() == 0) fs::remove(file_of(dir, e));
        MPI_Barrier(MPI_COMM_WORLD);
    }
}

TEST_CASE("a damaged or missing delta falls back to the last good state of its chain",
          "[incremental]") {
    const std::string dir = "inc_damage";
    fresh(dir, 100, 100);
    const std::vector<state> expected = write_chain(6);
    state got;

    // Truncated newest delta: the previous epoch is restored.
    if (world_rank() == 0) fs::resize_file(file_of(dir, 6), fs::file_size(file_of(dir, 6)) / 2);
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK(restore_into(got) == 5);
    CHECK(all_ranks(got.same_as(expected[5])));

    // A flipped byte in the changed blocks of delta 5: its chain stops at 4.
    flip_byte(file_of(dir, 5), "/delta/bytes/data");
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK(restore_into(got) == 4);
    CHECK(all_ranks(got.same_as(expected[4])));

    // A missing link in the middle: 4 needs 3, so the chain stops at 2.
    if (world_rank() == 0) fs::remove(file_of(dir, 3));
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK(restore_into(got) == 2);
    CHECK(all_ranks(got.same_as(expected[2])));

    // The job goes on from there: a full checkpoint (7), then a delta (8), both restorable.
    cairn::init();
    state s;
    s.register_all();
    REQUIRE(cairn::restore());
    CHECK(s.same_as(expected[2]));
    s.mutate(40);
    cairn::checkpoint_now();
    s.mutate(41);
    cairn::checkpoint_now();
    const state last = s;
    cairn::finalize();
    if (world_rank() == 0) {
        CHECK(kind_of(dir, 7) == "full");
        CHECK(kind_of(dir, 8) == "delta");
    }
    CHECK(restore_into(got) == 8);
    CHECK(all_ranks(got.same_as(last)));

    // A damaged base: every delta on it is unusable; the restore says so and takes 7... which
    // is the base here, so nothing verifies and the error lists the files.
    flip_byte(file_of(dir, 7), "/data/bytes");
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK(restore_into(got) == 2);  // 8 and 7 unusable; the old chain 1, 2 still verifies
    CHECK(all_ranks(got.same_as(expected[2])));
}

TEST_CASE("a delta chain on another rank count is a clear error", "[incremental]") {
    if (world_size() < 2) return;
    const std::string dir = "inc_ranks";
    fresh(dir, 8, 5);
    write_chain(3);
    MPI_Comm half = MPI_COMM_NULL;
    const int color = world_rank() < world_size() / 2 ? 0 : 1;
    MPI_Comm_split(MPI_COMM_WORLD, color, world_rank(), &half);
    if (color == 0) {
        cairn::init_options o;
        o.comm = half;
        cairn::init(nullptr, nullptr, o);
        state s;
        s.register_all();
        CHECK_THAT(error_of([] { cairn::restore(); }), Catch::Contains("same rank count"));
        cairn::finalize();
    }
    MPI_Comm_free(&half);
    MPI_Barrier(MPI_COMM_WORLD);
}

TEST_CASE("a chain and a full checkpoint of the same state for the tool test", "[incremental]") {
    const std::string dir = "inc_tool/chain";
    fresh(dir, 8, 8);
    const std::vector<state> expected = write_chain(5);
    // The same final state written as a full checkpoint elsewhere.
    fresh("inc_tool/full", 8, 8);
    setenv("CAIRN_INCREMENTAL", "off", 1);
    cairn::init();
    state s;
    s.register_all();
    CHECK_FALSE(cairn::restore());
    s.step = expected[5].step;
    s.bytes = expected[5].bytes;
    s.grid = expected[5].grid;
    s.vec = expected[5].vec;
    s.note = expected[5].note;
    cairn::checkpoint_now();
    cairn::finalize();
    unsetenv("CAIRN_INCREMENTAL");
    if (world_rank() == 0) CHECK(kind_of(dir, 5) == "delta");
}

TEST_CASE("a failed checkpoint leaves the chain on the last committed one", "[incremental]") {
    const std::string dir = "inc_failed";
    fresh(dir, 8, 8);
    cairn::init();
    state s;
    s.register_all();
    CHECK_FALSE(cairn::restore());
    s.mutate(1);
    cairn::checkpoint_now();
    s.mutate(2);
    cairn::checkpoint_now();
    // A directory where epoch 3's temporary file goes: that checkpoint fails.
    if (world_rank() == 0) fs::create_directories(dir + "/" + cd::temp_name(3) + "/x");
    MPI_Barrier(MPI_COMM_WORLD);
    s.mutate(3);
    CHECK_FALSE(error_of([] { cairn::checkpoint_now(); }).empty());
    if (world_rank() == 0) fs::remove_all(dir + "/" + cd::temp_name(3));
    MPI_Barrier(MPI_COMM_WORLD);
    s.mutate(4);
    cairn::checkpoint_now();
    CHECK(cairn::epoch() == 3);
    const state last = s;
    cairn::finalize();
    if (world_rank() == 0) {
        const auto info = cd::inspect_checkpoint_file(file_of(dir, 3));
        CHECK(info.kind == "delta");
        CHECK(info.parent_epoch == 2);
    }
    state got;
    CHECK(restore_into(got) == 3);
    CHECK(all_ranks(got.same_as(last)));
}
