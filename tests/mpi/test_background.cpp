// A non-blocking checkpoint is committed without the application: after the cut, the progress
// thread hands the snapshot to the I/O thread, which writes and commits it, while the
// application computes without safe points or sits in a receive. Run in the shared tier and in
// the node-local tier (the test's environment). The commit is seen in <dir>/stats.log, which
// rank 0's I/O thread appends after each commit; reading a file is not a call into cairn or MPI.
#include <cairn/cairn.hpp>
#include <catch2/catch.hpp>
#include <mpi.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

int world_rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

// A fresh shared directory (and node-local tier, when the environment sets one) for a case.
void fresh(const std::string& dir) {
    if (world_rank() == 0) {
        fs::remove_all(dir);
        if (const char* local = getenv("CAIRN_LOCAL_DIR")) fs::remove_all(local);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    setenv("CAIRN_DIR", dir.c_str(), 1);
    setenv("CAIRN_INTERVAL", "steps:1", 1);
    setenv("CAIRN_KEEP", "10", 1);
}

int committed_lines(const std::string& dir) {
    std::ifstream in(dir + "/stats.log");
    std::string line;
    int n = 0;
    while (std::getline(in, line)) n += line.rfind("epoch=", 0) == 0 ? 1 : 0;
    return n;
}

// Computes (no MPI call, no safe point) until `dir` shows `want` commits or `limit` passed;
// returns the seconds it took, or a negative number if the commit never came.
double compute_until_committed(const std::string& dir, int want, double limit) {
    const auto t0 = clock_type::now();
    volatile double x = 1.0;
    for (;;) {
        for (int i = 0; i < 200000; ++i) x = x * 1.0000001 + 1e-9;  // the compute phase
        const double s = std::chrono::duration<double>(clock_type::now() - t0).count();
        if (committed_lines(dir) >= want) return s;
        if (s > limit) return -1;
    }
}

}  // namespace

TEST_CASE("a checkpoint commits during a compute phase with no safe point", "[background]") {
    const std::string dir = "bg_compute";
    fresh(dir);
    cairn::init();
    std::vector<double> state(1 << 16, 1.5);
    cairn::register_buffer("state", state.data(), state.size());
    CHECK_FALSE(cairn::restore());
    cairn::safe_point();  // the cut; then up to 10 s of computation without a safe point
    const double took = compute_until_committed(dir, 1, 10.0);
    INFO("seconds to the commit inside the compute phase: " << took);
    CHECK(took >= 0);
    cairn::finalize();
}

TEST_CASE("a checkpoint commits while a rank is blocked in a receive", "[background]") {
    // Rank 0 waits in MPI_Recv for a message that rank 1 sends only once it has seen the
    // checkpoint committed (reading stats.log, no call into cairn); without a commit that
    // needs no safe point, neither would ever go on (the send comes after 10 s at the latest).
    const std::string dir = "bg_recv";
    fresh(dir);
    cairn::init();
    int step = 0;
    cairn::register_scalar("step", step);
    CHECK_FALSE(cairn::restore());
    cairn::safe_point();  // the cut
    int flag = 0;
    if (world_rank() == 0) {
        MPI_Recv(&flag, 1, MPI_INT, 1, 77, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        CHECK(flag == 1);
        CHECK(committed_lines(dir) >= 1);
    } else if (world_rank() == 1) {
        const double took = compute_until_committed(dir, 1, 10.0);
        INFO("seconds to the commit while rank 0 is in MPI_Recv: " << took);
        CHECK(took >= 0);
        flag = took >= 0 ? 1 : 0;
        MPI_Send(&flag, 1, MPI_INT, 0, 77, MPI_COMM_WORLD);
    }
    cairn::finalize();
}
