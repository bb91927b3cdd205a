// What restore() refuses. Messages in flight (non-blocking mode): communication before restore()
// is fine once complete; a message sent but not yet received, or a pending request, is reported
// on every rank. Run identity: a checkpoint written by another run (other application
// name or run key) is refused with an error naming both identities and the overrides; the
// run_key setting, the application's key and restart=force restore it; the default key is the
// command line.
#include "checkpoint/identity.hpp"

#include <cairn/cairn.hpp>
#include <catch2/catch.hpp>
#include <mpi.h>
#include <stdlib.h>

#include <cstdlib>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Catch::Contains;

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

bool nonblocking_mode() {
    const char* m = std::getenv("CAIRN_MODE");
    return m == nullptr || std::string(m) != "blocking";
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const cairn::error& e) {
        return e.what();
    }
    return "";
}

void init_as(const char* app, std::optional<std::string> key) {
    cairn::init_options o;
    o.app_name = app;
    o.run_key = std::move(key);
    cairn::init(nullptr, nullptr, o);
}

// The state: per-rank values and a step counter.
struct state {
    std::vector<double> v = std::vector<double>(5, 0.0);
    std::int64_t step = 0;
    void register_all() {
        cairn::register_buffer("v", v.data(), v.size());
        cairn::register_scalar("step", step);
    }
    void fill() {
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = world_rank() * 100.0 + i + 0.5;
        step = 17;
    }
    bool filled() const {
        for (std::size_t i = 0; i < v.size(); ++i)
            if (v[i] != world_rank() * 100.0 + i + 0.5) return false;
        return step == 17;
    }
};

// Starts a job as `app`/`key`, registers the state and returns what restore() threw ("" if none)
// and whether it restored.
std::pair<std::string, bool> try_restore(const char* app, std::optional<std::string> key) {
    init_as(app, std::move(key));
    state s;
    s.register_all();
    bool restored = false;
    const std::string err = error_of([&] { restored = cairn::restore(); });
    if (restored) CHECK(s.filled());
    cairn::finalize();
    return {err, restored};
}

}  // namespace

TEST_CASE("a checkpoint of another run is refused unless the identities agree or it is forced",
          "[identity]") {
    const std::string dir = "id_refuse";
    if (world_rank() == 0) fs::remove_all(dir);
    MPI_Barrier(MPI_COMM_WORLD);
    setenv("CAIRN_DIR", dir.c_str(), 1);
    setenv("CAIRN_INTERVAL", "off", 1);
    unsetenv("CAIRN_RESTART");
    unsetenv("CAIRN_RUN_KEY");

    init_as("solver", std::string("alpha"));
    {
        state s;
        s.register_all();
        CHECK_FALSE(cairn::restore());
        s.fill();
        cairn::checkpoint_now();
        cairn::finalize();
    }

    // another run key: refused, both identities and the overrides named, nothing loaded
    auto [err, restored] = try_restore("solver", std::string("beta"));
    CHECK_FALSE(restored);
    CHECK_THAT(err, Contains("belongs to another run") &&
                        Contains("app 'solver', run_key 'alpha'") &&
                        Contains("app 'solver', run_key 'beta'") && Contains("restart=force") &&
                        Contains("CAIRN_RUN_KEY") && Contains("ckpt.000001.h5"));

    // another application name with the same key: refused too
    std::tie(err, restored) = try_restore("other", std::string("alpha"));
    CHECK_FALSE(restored);
    CHECK_THAT(err, Contains("app 'other', run_key 'alpha'"));

    // the default key (no run_key anywhere) is this process's arguments: not 'alpha'
    const std::string args =
        cairn::detail::run_key_from_arguments(cairn::detail::process_arguments(0, nullptr));
    REQUIRE(args != "alpha");
    std::tie(err, restored) = try_restore("solver", std::nullopt);
    CHECK_FALSE(restored);
    CHECK_THAT(err, Contains("app 'solver', run_key '" + args + "'"));

    // the same identity restores
    std::tie(err, restored) = try_restore("solver", std::string("alpha"));
    CHECK(err.empty());
    CHECK(restored);

    // the run_key setting overrides the application's key
    setenv("CAIRN_RUN_KEY", "alpha", 1);
    std::tie(err, restored) = try_restore("solver", std::string("beta"));
    CHECK(err.empty());
    CHECK(restored);
    unsetenv("CAIRN_RUN_KEY");

    // restart=force restores another run's checkpoint
    setenv("CAIRN_RESTART", "force", 1);
    std::tie(err, restored) = try_restore("solver", std::string("gamma"));
    CHECK(err.empty());
    CHECK(restored);
    unsetenv("CAIRN_RESTART");

    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 0) CHECK(fs::exists(dir + "/ckpt.000001.h5"));  // never removed
}

TEST_CASE("the default run key is the arguments after the program name", "[identity]") {
    const char* argv[] = {"./cg", "--n", "1000", "--tol=1e-8", nullptr};
    const auto args = cairn::detail::process_arguments(4, argv);
    REQUIRE(args.size() == 4);
    CHECK(cairn::detail::run_key_from_arguments(args) == "--n 1000 --tol=1e-8");
    CHECK(cairn::detail::run_key_from_arguments({"./cg"}).empty());
    CHECK(cairn::detail::run_key_from_arguments({}).empty());
    // without argv: /proc/self/cmdline, program first
    const auto self = cairn::detail::process_arguments(0, nullptr);
    REQUIRE_FALSE(self.empty());
    CHECK(self[0].find("test_restore") != std::string::npos);
}

TEST_CASE("communication before restore() is allowed once nothing is in flight", "[inflight]") {
    if (!nonblocking_mode()) return;
    const std::string dir = "inflight_ok";
    if (world_rank() == 0) fs::remove_all(dir);
    MPI_Barrier(MPI_COMM_WORLD);
    setenv("CAIRN_DIR", dir.c_str(), 1);
    setenv("CAIRN_INTERVAL", "off", 1);
    unsetenv("CAIRN_RESTART");
    unsetenv("CAIRN_RUN_KEY");
    // A setup phase like a CG code's: every rank tells rank 0 something, rank 0 receives from
    // MPI_ANY_SOURCE; all of it completed before restore().
    for (int round = 0; round < 2; ++round) {
        init_as("setup", std::string("k"));
        const int n = world_size();
        std::int64_t mine = 10 + world_rank();
        if (world_rank() != 0) {
            MPI_Send(&mine, 1, MPI_INT64_T, 0, 3, MPI_COMM_WORLD);
        } else {
            std::int64_t sum = 0;
            for (int k = 1; k < n; ++k) {
                std::int64_t v = 0;
                MPI_Recv(&v, 1, MPI_INT64_T, MPI_ANY_SOURCE, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                sum += v;
            }
            CHECK(sum == (n - 1) * 10 + n * (n - 1) / 2);
        }
        state s;
        s.register_all();
        bool restored = false;
        CHECK(error_of([&] { restored = cairn::restore(); }).empty());
        CHECK(restored == (round == 1));
        if (round == 0) {
            s.fill();
            cairn::checkpoint_now();
        } else {
            CHECK(s.filled());
        }
        cairn::safe_point();
        cairn::finalize();
    }
}

TEST_CASE("a message still in flight at restore() is reported on every rank", "[inflight]") {
    const std::string dir = "inflight_bad";
    if (world_rank() == 0) fs::remove_all(dir);
    MPI_Barrier(MPI_COMM_WORLD);
    setenv("CAIRN_DIR", dir.c_str(), 1);
    setenv("CAIRN_INTERVAL", "off", 1);
    unsetenv("CAIRN_RESTART");
    unsetenv("CAIRN_RUN_KEY");
    const int last = world_size() - 1;

    // 1. rank 0 sent a message that rank `last` receives only after restore()
    init_as("early", std::string("k"));
    int v = 42;
    if (world_rank() == 0) MPI_Send(&v, 1, MPI_INT, last, 5, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
    {
        state s;
        s.register_all();
        const std::string err = error_of([] { cairn::restore(); });
        if (nonblocking_mode()) {
            CHECK_THAT(err, Contains("in flight") && Contains("1 message(s) sent to rank " +
                                                              std::to_string(last) + " by rank 0"));
        } else {
            CHECK(err.empty());  // blocking mode: no colors or counters to confuse
        }
        int got = 0;
        if (world_rank() == last) {
            MPI_Recv(&got, 1, MPI_INT, 0, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            CHECK(got == 42);
        }
        cairn::finalize();
    }

    // 2. a receive posted before restore() and still pending
    init_as("early", std::string("k"));
    {
        state s;
        s.register_all();
        MPI_Request req = MPI_REQUEST_NULL;
        int in = 0;
        if (world_rank() == last) MPI_Irecv(&in, 1, MPI_INT, 0, 6, MPI_COMM_WORLD, &req);
        const std::string err = error_of([] { cairn::restore(); });
        if (nonblocking_mode()) {
            CHECK_THAT(err, Contains("request(s) of rank " + std::to_string(last) +
                                     " still pending"));
        } else {
            CHECK(err.empty());
        }
        if (world_rank() == 0) MPI_Send(&v, 1, MPI_INT, last, 6, MPI_COMM_WORLD);
        if (world_rank() == last) MPI_Wait(&req, MPI_STATUS_IGNORE);
        cairn::finalize();
    }
}
