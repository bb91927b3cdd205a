// The runtime through its public API: checkpoint, restart, fallback, mismatch, retention,
// agreement on requests, and bad directories.
#include "h5/checkpoint_file.hpp"
#include "storage/naming.hpp"

#include <cairn/cairn.hpp>
#include <catch2/catch.hpp>
#include <mpi.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

namespace fs = std::filesystem;

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

// A fresh checkpoint directory and environment for one test case.
void fresh(const std::string& dir, const std::string& extra_interval = "off") {
    if (world_rank() == 0) fs::remove_all(dir);
    MPI_Barrier(MPI_COMM_WORLD);
    setenv("CAIRN_DIR", dir.c_str(), 1);
    setenv("CAIRN_INTERVAL", extra_interval.c_str(), 1);
    setenv("CAIRN_VERBOSE", "1", 1);
    setenv("CAIRN_KEEP", "5", 1);
    unsetenv("CAIRN_RESTART");
}

// The application state used by most cases: per-rank values and a 2-D distributed grid with halo.
struct state {
    std::uint64_t ny = 4;
    std::uint64_t nx = 6;
    int step = 0;
    std::vector<double> particles;
    std::vector<float> grid;  // (ny+2) x (nx+2) local with halo

    explicit state(std::size_t nparticles)
        : particles(nparticles), grid((ny + 2) * (nx + 2), -1.0F) {}

    void fill(int seed) {
        const int r = world_rank();
        step = seed;
        for (std::size_t i = 0; i < particles.size(); ++i) particles[i] = seed * 1000.0 + r * 10 + i;
        for (std::uint64_t i = 0; i < ny; ++i)
            for (std::uint64_t j = 0; j < nx; ++j)
                grid[(i + 1) * (nx + 2) + j + 1] = static_cast<float>(seed + r * 100 + i * 10 + j);
    }

    void register_all() {
        const auto r = static_cast<std::uint64_t>(world_rank());
        const auto p = static_cast<std::uint64_t>(world_size());
        cairn::register_scalar("step", step);
        cairn::register_buffer("particles", particles.data(), particles.size());
        cairn::register_distributed("grid", grid.data(),
                                    {{ny * p, nx}, {ny * r, 0}, {ny, nx}, {ny + 2, nx + 2}, {1, 1}});
    }

    bool same_as(const state& o) const {
        if (step != o.step || particles != o.particles) return false;
        for (std::uint64_t i = 0; i < ny; ++i)
            for (std::uint64_t j = 0; j < nx; ++j)
                if (grid[(i + 1) * (nx + 2) + j + 1] != o.grid[(i + 1) * (nx + 2) + j + 1]) return false;
        return true;
    }
};

// Writes checkpoints with seeds 1..n (epochs 1..n) and finalizes.
void write_epochs(int n, std::size_t nparticles) {
    cairn::init();
    state s(nparticles);
    s.register_all();
    for (int e = 1; e <= n; ++e) {
        s.fill(e);
        cairn::checkpoint_now();
        CHECK(cairn::epoch() == static_cast<std::uint64_t>(e));
    }
    cairn::finalize();
}

// Flips one byte in the middle of dataset /data/<name> of `file` (rank 0 only, serial HDF5).
void corrupt_dataset(const std::string& file, const std::string& name) {
    if (world_rank() != 0) return;
    const std::uint64_t off = cairn::detail::dataset_file_offset(file, "/data/" + name);
    const std::uint64_t size = cairn::detail::dataset_storage_bytes(file, "/data/" + name);
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

TEST_CASE("checkpoint and restore through the public API", "[runtime]") {
    fresh("rt_roundtrip");
    write_epochs(2, 3 + world_rank());
    cairn::init();
    state s(3 + world_rank());
    s.register_all();
    CHECK_FALSE(cairn::restarted());
    REQUIRE(cairn::restore());
    CHECK(cairn::restarted());
    CHECK(cairn::epoch() == 2);
    state expect(3 + world_rank());
    expect.fill(2);
    CHECK(s.same_as(expect));
    CHECK(s.grid[0] == -1.0F);  // halo untouched
    // the next checkpoint gets the next epoch
    cairn::checkpoint_now();
    CHECK(cairn::epoch() == 3);
    cairn::finalize();
    if (world_rank() == 0) CHECK(fs::exists("rt_roundtrip/ckpt.000003.h5"));
}

TEST_CASE("a corrupted newest checkpoint falls back to the previous one and is kept", "[runtime]") {
    fresh("rt_fallback");
    write_epochs(2, 5);
    corrupt_dataset("rt_fallback/ckpt.000002.h5", "particles");
    MPI_Barrier(MPI_COMM_WORLD);
    cairn::init();
    state s(5);
    s.register_all();
    REQUIRE(cairn::restore());
    CHECK(cairn::epoch() == 1);
    state expect(5);
    expect.fill(1);
    CHECK(s.same_as(expect));
    cairn::finalize();
    if (world_rank() == 0) CHECK(fs::exists("rt_fallback/ckpt.000002.h5"));
}

TEST_CASE("truncated newest checkpoint falls back; all bad is a clear error", "[runtime]") {
    fresh("rt_truncated");
    write_epochs(2, 2);
    if (world_rank() == 0) {
        fs::resize_file("rt_truncated/ckpt.000002.h5", fs::file_size("rt_truncated/ckpt.000002.h5") / 2);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    cairn::init();
    {
        state s(2);
        s.register_all();
        REQUIRE(cairn::restore());
        CHECK(cairn::epoch() == 1);
    }
    cairn::finalize();
    corrupt_dataset("rt_truncated/ckpt.000001.h5", "grid");
    MPI_Barrier(MPI_COMM_WORLD);
    cairn::init();
    state s(2);
    s.register_all();
    const std::string err = error_of([] { cairn::restore(); });
    CHECK_THAT(err, Catch::Contains("no valid checkpoint") && Catch::Contains("ckpt.000002.h5") &&
                        Catch::Contains("ckpt.000001.h5"));
    cairn::finalize();
    if (world_rank() == 0) {
        CHECK(fs::exists("rt_truncated/ckpt.000001.h5"));
        CHECK(fs::exists("rt_truncated/ckpt.000002.h5"));
    }
}

TEST_CASE("restart with a changed registration is a clear error", "[runtime]") {
    fresh("rt_mismatch");
    write_epochs(1, 4);
    {
        cairn::init();
        state s(5);  // one more particle than written
        s.register_all();
        CHECK_THAT(error_of([] { cairn::restore(); }),
                   Catch::Contains("does not match") && Catch::Contains("particles"));
        cairn::finalize();
    }
    {
        cairn::init();
        state s(4);
        s.register_all();
        int extra = 0;
        cairn::register_scalar("extra", extra);
        CHECK_THAT(error_of([] { cairn::restore(); }), Catch::Contains("extra"));
        cairn::finalize();
    }
    // fewer ranks than wrote the file
    MPI_Comm half = MPI_COMM_NULL;
    const int color = world_rank() < world_size() / 2 ? 0 : MPI_UNDEFINED;
    MPI_Comm_split(MPI_COMM_WORLD, color, world_rank(), &half);
    if (half != MPI_COMM_NULL) {
        cairn::init_options o;
        o.comm = half;
        cairn::init(nullptr, nullptr, o);
        std::vector<double> particles(4);  // per-rank values differ: cannot be redistributed
        cairn::register_buffer("particles", particles.data(), particles.size());
        CHECK_THAT(error_of([] { cairn::restore(); }),
                   Catch::Contains("ranks") && Catch::Contains(std::to_string(world_size())) &&
                       Catch::Contains("particles"));
        cairn::finalize();
        MPI_Comm_free(&half);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 0) CHECK(fs::exists("rt_mismatch/ckpt.000001.h5"));
}

TEST_CASE("retention keeps the newest N and stale temporaries are ignored", "[runtime]") {
    fresh("rt_retention");
    setenv("CAIRN_KEEP", "2", 1);
    if (world_rank() == 0) {
        fs::create_directories("rt_retention");
        std::ofstream("rt_retention/ckpt.000009.h5.tmp") << "partial";
        std::ofstream("rt_retention/ckpt.000004.h5.removing") << "left by a crash";
    }
    MPI_Barrier(MPI_COMM_WORLD);
    cairn::init();
    state s(1);
    s.register_all();
    CHECK_FALSE(cairn::restore());  // the .tmp is not a checkpoint
    for (int e = 0; e < 4; ++e) {
        s.fill(e);
        cairn::checkpoint_now();
    }
    CHECK(cairn::epoch() == 13);  // numbering continues after the stale file
    cairn::finalize();
    if (world_rank() == 0) {
        const auto l = cairn::detail::list_checkpoints("rt_retention");
        CHECK(l.committed == std::vector<std::uint64_t>{12, 13});
        CHECK(l.temps.empty());
        CHECK(l.removing.empty());  // renamed victims and the leftover deleted by finalize()
    }
}

TEST_CASE("steps interval checkpoints at the same indices on every rank", "[runtime]") {
    fresh("rt_steps", "steps:5");
    setenv("CAIRN_KEEP", "100", 1);
    cairn::init();
    state s(1);
    s.register_all();
    CHECK_FALSE(cairn::restore());
    for (int i = 1; i <= 12; ++i) {
        s.fill(i);
        cairn::safe_point();
        // blocking mode commits at the safe point; non-blocking commits in the background
        CHECK(cairn::epoch() <= static_cast<std::uint64_t>(i / 5));
    }
    cairn::finalize();  // waits for the last write
    if (world_rank() == 0) {
        const auto l = cairn::detail::list_checkpoints("rt_steps");
        REQUIRE(l.committed == std::vector<std::uint64_t>{1, 2});
        CHECK(cairn::detail::inspect_checkpoint_file("rt_steps/ckpt.000001.h5").meta.safe_point == 5);
        CHECK(cairn::detail::inspect_checkpoint_file("rt_steps/ckpt.000002.h5").meta.safe_point == 10);
    }
    // the state of safe point 10 was captured even though computing went on
    cairn::init();
    state r(1);
    r.register_all();
    REQUIRE(cairn::restore());
    state expect(1);
    expect.fill(10);
    CHECK(r.same_as(expect));
    CHECK(cairn::safe_point_index() == 10);
    cairn::finalize();
}

TEST_CASE("a request from one rank is agreed at the same safe point", "[runtime]") {
    fresh("rt_agree", "off");
    cairn::init();
    state s(1);
    s.register_all();
    CHECK_FALSE(cairn::restore());
    for (int i = 1; i <= 12; ++i) cairn::safe_point();
    CHECK(cairn::epoch() == 0);
    if (world_rank() == world_size() - 1) cairn::request_checkpoint();
    for (int i = 0; i < 6; ++i) cairn::safe_point();
    cairn::finalize();
    if (world_rank() == 0) {
        const auto l = cairn::detail::list_checkpoints("rt_agree");
        REQUIRE(l.committed == std::vector<std::uint64_t>{1});  // exactly one, on every rank
        const auto sum = cairn::detail::inspect_checkpoint_file("rt_agree/ckpt.000001.h5");
        CHECK(sum.meta.safe_point > 12);
        CHECK(sum.meta.safe_point <= 16);
    }
}

TEST_CASE("large blocks are checkpointed as they were at the cut", "[runtime]") {
    // More than copy_helper::split_bytes per rank and an odd length, so that the staging copy in
    // non-blocking mode is split between two threads; the state changes at every safe point, so
    // a restored state that mixes two moments (or a half never copied) is caught. The helper is
    // switched on explicitly: `auto` leaves it off where the ranks already use every core.
    fresh("rt_large");
    setenv("CAIRN_PARALLEL_STAGING", "on", 1);
    const std::size_t n = (std::size_t{5} << 20U) / sizeof(double) + 3;
    auto fill = [&](std::vector<double>& v, int it) {
        for (std::size_t j = 0; j < v.size(); ++j) v[j] = it * 1e7 + static_cast<double>(j) + world_rank() * 0.5;
    };
    {
        cairn::init();
        int it = 0;
        std::vector<double> big(n);
        cairn::register_scalar("it", it);
        cairn::register_buffer("big", big.data(), big.size());
        if (world_rank() == 0) cairn::request_checkpoint();
        for (it = 1; it <= 40; ++it) {
            fill(big, it);
            cairn::safe_point();
        }
        cairn::finalize();
    }
    cairn::init();
    int it = -1;
    std::vector<double> big(n, -1.0);
    cairn::register_scalar("it", it);
    cairn::register_buffer("big", big.data(), big.size());
    REQUIRE(cairn::restore());
    CHECK(it >= 1);
    std::vector<double> expect(n);
    fill(expect, it);
    CHECK((big == expect));  // a bool: Catch would print megabytes of operands
    cairn::finalize();
    unsetenv("CAIRN_PARALLEL_STAGING");
}

TEST_CASE("an unusable checkpoint directory is a clear error and the job goes on", "[runtime]") {
    fresh("rt_baddir");
    if (world_rank() == 0) std::ofstream("rt_baddir_file") << "not a directory";
    MPI_Barrier(MPI_COMM_WORLD);
    setenv("CAIRN_DIR", "rt_baddir_file/sub", 1);
    cairn::init();
    state s(1);
    s.register_all();
    CHECK_THAT(error_of([] { cairn::checkpoint_now(); }),
               Catch::Contains("rt_baddir_file") && Catch::Contains("rank"));
    cairn::finalize();
}

TEST_CASE("API misuse is reported", "[runtime]") {
    fresh("rt_misuse");
    CHECK_THAT(error_of([] { cairn::safe_point(); }), Catch::Contains("before cairn::init"));
    setenv("CAIRN_KEEP", "zero", 1);
    CHECK_THAT(error_of([] { cairn::init(); }),
               Catch::Contains("CAIRN_KEEP") && Catch::Contains("invalid cairn configuration"));
    CHECK_FALSE(cairn::initialized());
    setenv("CAIRN_KEEP", "2", 1);
    cairn::init();
    CHECK_THAT(error_of([] { cairn::init(); }), Catch::Contains("twice"));
    int x = 0;
    cairn::register_scalar("x", x);
    CHECK_THAT(error_of([&] { cairn::register_scalar("x", x); }),
               Catch::Contains("already registered"));
    cairn::safe_point();
    CHECK_THAT(error_of([] { cairn::restore(); }), Catch::Contains("before the first safe_point"));
    cairn::finalize();
    cairn::finalize();  // harmless
}

namespace {
bool nonblocking_mode() {
    const char* m = std::getenv("CAIRN_MODE");
    return m == nullptr || std::string(m) != "blocking";
}
}  // namespace

TEST_CASE("statistics go to the file's attributes and to stats.log", "[runtime]") {
    fresh("rt_stats", "steps:4");
    setenv("CAIRN_KEEP", "100", 1);
    cairn::init();
    state s(3);
    s.register_all();
    CHECK_FALSE(cairn::restore());
    for (int i = 1; i <= 8; ++i) cairn::safe_point();
    cairn::finalize();
    if (world_rank() == 0) {
        const auto sum = cairn::detail::inspect_checkpoint_file("rt_stats/ckpt.000002.h5");
        CHECK(sum.meta.stats.nonblocking == (nonblocking_mode() ? 1 : 0));
        // registered bytes over all ranks: step + 3 doubles + a 4x6 float block per rank
        CHECK(sum.meta.stats.bytes == static_cast<std::uint64_t>(world_size()) * (4 + 24 + 96));
        if (nonblocking_mode()) CHECK(sum.meta.stats.stall_seconds > 0);
        std::ifstream log("rt_stats/stats.log");
        std::string line;
        int lines = 0;
        while (std::getline(log, line)) {
            ++lines;
            CHECK_THAT(line, Catch::Contains("epoch=") && Catch::Contains("stall_s=") &&
                                 Catch::Contains("write_s=") &&
                                 Catch::Contains("messages_logged=") &&
                                 Catch::Contains("aborted_epochs="));
        }
        CHECK(lines == 2);
    }
}

TEST_CASE("an early message aborts the epoch and the next cut commits", "[runtime]") {
    if (!nonblocking_mode() || world_size() < 2) return;
    fresh("rt_early", "steps:3");
    setenv("CAIRN_KEEP", "100", 1);
    cairn::init();
    state s(1);
    s.register_all();
    CHECK_FALSE(cairn::restore());
    // Rank 0 sends right after its safe point 3 (red); rank 1 receives before its safe point 3
    // (still white): an inconsistent cut, which must not be committed.
    long long token = 42;
    if (world_rank() == 0) {
        for (int i = 0; i < 3; ++i) cairn::safe_point();
        MPI_Send(&token, 1, MPI_LONG_LONG, 1, 7, MPI_COMM_WORLD);
        for (int i = 3; i < 7; ++i) cairn::safe_point();
    } else {
        for (int i = 0; i < 2; ++i) cairn::safe_point();
        if (world_rank() == 1) {
            MPI_Status st;
            MPI_Recv(&token, 1, MPI_LONG_LONG, 0, 7, MPI_COMM_WORLD, &st);
            CHECK(st.MPI_SOURCE == 0);
            CHECK(st.MPI_TAG == 7);
            int n = -1;
            MPI_Get_count(&st, MPI_LONG_LONG, &n);
            CHECK(n == 1);
        }
        for (int i = 2; i < 7; ++i) cairn::safe_point();
    }
    cairn::finalize();
    if (world_rank() == 0) {
        const auto l = cairn::detail::list_checkpoints("rt_early");
        REQUIRE(l.committed.size() == 1);  // safe point 3 aborted, safe point 6 committed
        const auto sum = cairn::detail::inspect_checkpoint_file(
            "rt_early/" + cairn::detail::checkpoint_name(l.committed[0]));
        CHECK(sum.meta.safe_point == 6);
        CHECK(sum.meta.stats.aborted_epochs == 1);
    }
}

TEST_CASE("late messages of every receive shape are logged at the cut and replayed", "[runtime]") {
    if (!nonblocking_mode() || world_size() < 2) return;
    // Three white messages from rank 0 to rank 1, received after rank 1's cut (late): 8 bytes
    // (the receive's stack fast path), 4000 bytes (bounce buffer) and 80000 bytes (struct
    // datatype). All three must be logged with their payload and replayed after a restore.
    fresh("rt_late", "steps:3");
    const int rank = world_rank();
    std::vector<long long> small{4242};
    std::vector<int> medium(1000);
    std::vector<int> large(20000);
    std::iota(medium.begin(), medium.end(), 7);
    std::iota(large.begin(), large.end(), 1000);
    auto receive_all = [&](const char* when) {
        INFO(when);
        MPI_Status st;
        int n = -1;
        std::vector<long long> s(2, -1);  // room for more than was sent
        MPI_Recv(s.data(), 2, MPI_LONG_LONG, MPI_ANY_SOURCE, 11, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_LONG_LONG, &n);
        CHECK((st.MPI_SOURCE == 0 && n == 1 && s[0] == 4242 && s[1] == -1));
        std::vector<int> m(1000, -1);
        MPI_Recv(m.data(), 1000, MPI_INT, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_INT, &n);
        CHECK((st.MPI_TAG == 12 && n == 1000 && m == medium));
        std::vector<int> l(20000, -1);
        MPI_Recv(l.data(), 20000, MPI_INT, 0, 13, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_INT, &n);
        CHECK((n == 20000 && l == large));
    };
    {
        cairn::init();
        state s(1);
        s.register_all();
        CHECK_FALSE(cairn::restore());
        if (rank == 0) {
            std::array<MPI_Request, 3> rq{};
            MPI_Isend(small.data(), 1, MPI_LONG_LONG, 1, 11, MPI_COMM_WORLD, &rq[0]);
            MPI_Isend(medium.data(), 1000, MPI_INT, 1, 12, MPI_COMM_WORLD, &rq[1]);
            MPI_Isend(large.data(), 20000, MPI_INT, 1, 13, MPI_COMM_WORLD, &rq[2]);
            for (int i = 1; i <= 5; ++i) cairn::safe_point();
            MPI_Waitall(3, rq.data(), MPI_STATUSES_IGNORE);
        } else if (rank == 1) {
            for (int i = 1; i <= 3; ++i) cairn::safe_point();  // the cut: rank 1 turns red
            receive_all("first run, after the cut");
            for (int i = 4; i <= 5; ++i) cairn::safe_point();
        } else {
            for (int i = 1; i <= 5; ++i) cairn::safe_point();
        }
        cairn::finalize();
    }
    if (rank == 0) {
        const auto l = cairn::detail::list_checkpoints("rt_late");
        REQUIRE(l.committed.size() == 1);
        const std::string file = "rt_late/" + cairn::detail::checkpoint_name(l.committed[0]);
        CHECK(cairn::detail::inspect_checkpoint_file(file).meta.stats.messages_logged == 3);
        const auto ch = cairn::detail::read_channel_state(file, 1);
        REQUIRE(ch.messages.size() == 3);
        CHECK(ch.messages[0].payload.size() == 8);
        CHECK(ch.messages[1].payload.size() == 4000);
        CHECK(ch.messages[2].payload.size() == 80000);
    }
    // Restart from that checkpoint: rank 1 gets the three messages again, from the log.
    cairn::init();
    state s(1);
    s.register_all();
    REQUIRE(cairn::restore());
    if (rank == 1) receive_all("replayed after the restore");
    cairn::finalize();
}

namespace {
// The staged_* byte counts (sums over ranks) of each line of <dir>/stats.log (rank 0).
struct staging_line {
    std::uint64_t prepared = 0;
    std::uint64_t reused = 0;
    std::uint64_t at_cut = 0;
};
std::vector<staging_line> staging_lines(const std::string& dir) {
    std::vector<staging_line> out;
    std::ifstream log(dir + "/stats.log");
    std::string line;
    auto field = [&line](const std::string& key) -> std::uint64_t {
        const auto p = line.find(" " + key + "=");
        if (p == std::string::npos) return ~std::uint64_t{0};
        return std::stoull(line.substr(p + key.size() + 2));
    };
    while (std::getline(log, line)) {
        out.push_back({field("staged_prepared"), field("staged_reused"), field("staged_at_cut")});
    }
    return out;
}

// Per-rank state whose registration changes between two checkpoints (staging_prefault).
struct growing_state {
    int step = 0;
    std::vector<double> particles = std::vector<double>(1000);
    std::vector<int> vec = std::vector<int>(100);
    std::vector<double> extra = std::vector<double>(100);

    void fill(int seed) {
        const int r = world_rank();
        step = seed;
        for (std::size_t i = 0; i < particles.size(); ++i) particles[i] = seed * 1e4 + r * 10 + i;
        for (std::size_t i = 0; i < vec.size(); ++i) vec[i] = seed * 7 + r * 1000 + static_cast<int>(i);
        for (std::size_t i = 0; i < extra.size(); ++i) extra[i] = -seed - r * 0.5 - i;
    }

    /// The buffers every case registers first; vec and extra are registered by the case.
    void register_fixed() {
        cairn::register_scalar("step", step);
        cairn::register_buffer("particles", particles.data(), particles.size());
    }
};
}  // namespace

TEST_CASE("staging memory prepared before the cut is used; registration changes still restore",
          "[runtime]") {
    if (!nonblocking_mode()) return;
    const auto p = static_cast<std::uint64_t>(world_size());
    fresh("rt_prefault", "steps:3");
    setenv("CAIRN_KEEP", "100", 1);
    cairn::init();
    growing_state s;
    s.register_fixed();
    cairn::register_vector("vec", s.vec);
    CHECK_FALSE(cairn::restore());
    s.fill(1);
    // Safe point 1 starts the preparation (4 + 8000 + 400 bytes); the cut at 3 uses it, waiting
    // for it if it is still running.
    for (int i = 1; i <= 3; ++i) cairn::safe_point();
    // A buffer added and a resizable grown: safe point 4 prepares vec at 300 ints and extra;
    // vec then grows again, so the cut at 6 allocates vec's staging memory itself.
    s.vec.resize(300);
    cairn::register_buffer("extra", s.extra.data(), s.extra.size());
    cairn::safe_point();
    s.vec.resize(500);
    s.fill(2);
    cairn::safe_point();
    cairn::safe_point();
    const growing_state saved = s;
    s.fill(3);  // not checkpointed
    cairn::finalize();
    if (world_rank() == 0) {
        const auto lines = staging_lines("rt_prefault");
        REQUIRE(lines.size() == 2);
        CHECK(lines[0].prepared == p * (4 + 8000 + 400));
        CHECK(lines[0].reused == 0);
        CHECK(lines[0].at_cut == 0);
        CHECK(lines[1].prepared == p * 800);         // extra
        CHECK(lines[1].reused == p * (4 + 8000));    // step, particles
        CHECK(lines[1].at_cut == p * 500 * 4);       // vec, grown after the preparation
        // the registered bytes at each cut (extra was registered after the first cut)
        const auto first = cairn::detail::inspect_checkpoint_file("rt_prefault/ckpt.000001.h5");
        CHECK(first.meta.stats.bytes == p * (4 + 8000 + 400));
    }
    MPI_Barrier(MPI_COMM_WORLD);

    cairn::init();
    growing_state r;
    r.vec.clear();
    r.step = -1;
    r.register_fixed();
    cairn::register_vector("vec", r.vec);
    cairn::register_buffer("extra", r.extra.data(), r.extra.size());
    REQUIRE(cairn::restore());
    CHECK(cairn::safe_point_index() == 6);
    CHECK(r.step == saved.step);
    CHECK(r.particles == saved.particles);
    CHECK(r.vec == saved.vec);
    CHECK(r.extra == saved.extra);
    cairn::finalize();
}

TEST_CASE("staging_prefault=off allocates the staging memory at the cut", "[runtime]") {
    if (!nonblocking_mode()) return;
    const auto p = static_cast<std::uint64_t>(world_size());
    fresh("rt_prefault_off", "steps:3");
    setenv("CAIRN_STAGING_PREFAULT", "off", 1);
    cairn::init();
    growing_state s;
    s.register_fixed();
    CHECK_FALSE(cairn::restore());
    s.fill(1);
    for (int i = 1; i <= 6; ++i) cairn::safe_point();
    cairn::finalize();
    unsetenv("CAIRN_STAGING_PREFAULT");
    if (world_rank() == 0) {
        const auto lines = staging_lines("rt_prefault_off");
        REQUIRE(lines.size() == 2);
        CHECK(lines[0].prepared == 0);
        CHECK(lines[0].at_cut == p * (4 + 8000));
        CHECK(lines[1].reused == p * (4 + 8000));
        CHECK(lines[1].at_cut == 0);
    }
}

TEST_CASE("interval=off prepares no staging memory until a checkpoint is taken", "[runtime]") {
    if (!nonblocking_mode()) return;
    const auto p = static_cast<std::uint64_t>(world_size());
    fresh("rt_prefault_interval_off", "off");
    cairn::init();
    growing_state s;
    s.register_fixed();
    CHECK_FALSE(cairn::restore());
    s.fill(1);
    for (int i = 1; i <= 4; ++i) cairn::safe_point();  // nothing scheduled: nothing prepared
    cairn::checkpoint_now();                            // allocated at the cut
    s.extra.assign(100, 2.0);
    cairn::register_buffer("extra", s.extra.data(), s.extra.size());
    for (int i = 1; i <= 4; ++i) cairn::safe_point();  // after a checkpoint: prepared ahead
    cairn::checkpoint_now();
    cairn::finalize();
    if (world_rank() == 0) {
        const auto lines = staging_lines("rt_prefault_interval_off");
        REQUIRE(lines.size() == 2);
        CHECK(lines[0].prepared == 0);
        CHECK(lines[0].at_cut == p * (4 + 8000));
        CHECK(lines[1].prepared == p * 800);       // extra, prepared before the second cut
        CHECK(lines[1].reused == p * (4 + 8000));
        CHECK(lines[1].at_cut == 0);
    }
}
