// The protocol's boundary: what cairn refuses to commit and says why, and the paths on which a
// snapshot is given up (epoch timeout, a pattern that aborts every snapshot). Two ranks or more;
// each case runs in the mode it is about (CAIRN_MODE of the test) and returns otherwise.
#include "h5/checkpoint_file.hpp"
#include "storage/naming.hpp"

#include <cairn/cairn.hpp>
#include <catch2/catch.hpp>
#include <mpi.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
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
bool mode_is(const char* m) {
    const char* v = getenv("CAIRN_MODE");
    return v != nullptr && std::string(v) == m;
}

void fresh(const std::string& dir, const std::string& interval) {
    if (world_rank() == 0) fs::remove_all(dir);
    MPI_Barrier(MPI_COMM_WORLD);
    setenv("CAIRN_DIR", dir.c_str(), 1);
    setenv("CAIRN_INTERVAL", interval.c_str(), 1);
    setenv("CAIRN_VERBOSE", "1", 1);
    setenv("CAIRN_KEEP", "100", 1);
    setenv("CAIRN_ON_ERROR", "abort", 1);
    unsetenv("CAIRN_RESTART");
}

void clean_env() {
    unsetenv("CAIRN_ON_ERROR");
    unsetenv("CAIRN_ABORT_LIMIT");
    unsetenv("CAIRN_EPOCH_TIMEOUT");
}

// Calls safe_point(); returns the message of a cairn::error it throws ("" if none).
std::string safe_point_error() {
    try {
        cairn::safe_point();
    } catch (const cairn::error& e) {
        return e.what();
    }
    return "";
}

// Safe points of the committed checkpoints in `dir` (rank 0 reads them).
std::vector<std::uint64_t> committed_safe_points(const std::string& dir) {
    std::vector<std::uint64_t> out;
    for (const auto e : cairn::detail::list_checkpoints(dir).committed) {
        out.push_back(cairn::detail::inspect_checkpoint_file(
                          dir + "/" + cairn::detail::checkpoint_name(e))
                          .meta.safe_point);
    }
    return out;
}

// Every channel s -> d of a committed file: white messages sent == received before the cut +
// logged (the consistency the oracle checks).
bool channels_consistent(const std::string& file) {
    const auto sent = cairn::detail::read_channel_counters(file, "sent_white");
    const auto before = cairn::detail::read_channel_counters(file, "recv_before");
    const auto logged = cairn::detail::read_channel_counters(file, "logged");
    const std::size_t p = sent.size();
    if (p == 0 || before.size() != p || logged.size() != p) return false;
    for (std::size_t s = 0; s < p; ++s)
        for (std::size_t d = 0; d < p; ++d)
            if (sent[s][d] != before[d][s] + logged[d][s]) return false;
    return true;
}

}  // namespace

TEST_CASE("blocking: a receive request that may hold an in-flight message refuses the commit",
          "[boundary]") {
    if (!mode_is("blocking") || world_size() < 2) return;
    // Rank 1 sends before safe point 2; rank 0 posted the matching receive before it and waits
    // for it only after: MPI matched the message to the application's request, so the blocking
    // cut cannot receive or save it. Nothing may be committed, and rank 0 says why.
    fresh("bd_pending", "steps:2");
    cairn::init();
    int step = 0;
    cairn::register_scalar("step", step);
    CHECK_FALSE(cairn::restore());
    int value = world_rank() == 1 ? 77 : -1;
    MPI_Request r = MPI_REQUEST_NULL;
    if (world_rank() == 0) MPI_Irecv(&value, 1, MPI_INT, 1, 5, MPI_COMM_WORLD, &r);
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 1) MPI_Send(&value, 1, MPI_INT, 0, 5, MPI_COMM_WORLD);
    CHECK(safe_point_error().empty());
    const std::string err = safe_point_error();  // safe point 2: the cut
    INFO(err);
    CHECK_THAT(err, Catch::Contains("not committed"));
    if (world_rank() == 0) {
        CHECK_THAT(err, Catch::Contains("receive request(s) pending across the safe point") &&
                            Catch::Contains("communicator 0, source 1, tag 5") &&
                            Catch::Contains("mode=nonblocking"));
        MPI_Wait(&r, MPI_STATUS_IGNORE);
        CHECK(value == 77);
    }
    // The next checkpoint has nothing pending and commits, consistent.
    CHECK(safe_point_error().empty());
    CHECK(safe_point_error().empty());  // safe point 4
    cairn::finalize();
    clean_env();
    if (world_rank() == 0) {
        const auto sp = committed_safe_points("bd_pending");
        CHECK(sp == std::vector<std::uint64_t>{4});
        const auto l = cairn::detail::list_checkpoints("bd_pending");
        REQUIRE(l.committed.size() == 1);
        CHECK(channels_consistent("bd_pending/" +
                                  cairn::detail::checkpoint_name(l.committed[0])));
    }
}

TEST_CASE("blocking: messages in flight at the cut are received, saved and replayed",
          "[boundary]") {
    if (!mode_is("blocking") || world_size() < 2) return;
    // Every rank sends its right neighbour a message before safe point 1 and receives it after:
    // the blocking cut must pull and log it (the checkpoint used to lose it).
    fresh("bd_inflight", "steps:1");
    const int rank = world_rank();
    const int size = world_size();
    int step = 0;
    {
        cairn::init();
        cairn::register_scalar("step", step);
        CHECK_FALSE(cairn::restore());
        long long out = 1000 + rank;
        MPI_Send(&out, 1, MPI_LONG_LONG, (rank + 1) % size, 3, MPI_COMM_WORLD);
        step = 1;
        CHECK(safe_point_error().empty());
        long long in = -1;
        MPI_Recv(&in, 1, MPI_LONG_LONG, (rank + size - 1) % size, 3, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        CHECK(in == 1000 + (rank + size - 1) % size);
        cairn::finalize();
    }
    if (rank == 0) {
        const auto l = cairn::detail::list_checkpoints("bd_inflight");
        REQUIRE(l.committed.size() == 1);
        const std::string f = "bd_inflight/" + cairn::detail::checkpoint_name(l.committed[0]);
        CHECK(channels_consistent(f));
        CHECK(cairn::detail::read_channel_state(f, 0).messages.size() == 1);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    // Restart: the logged message is delivered again by the receive that follows the safe point.
    setenv("CAIRN_INTERVAL", "off", 1);
    cairn::init();
    step = 0;
    cairn::register_scalar("step", step);
    REQUIRE(cairn::restore());
    CHECK(step == 1);
    long long in = -1;
    MPI_Status st;
    MPI_Recv(&in, 1, MPI_LONG_LONG, MPI_ANY_SOURCE, 3, MPI_COMM_WORLD, &st);
    CHECK(in == 1000 + (rank + size - 1) % size);
    CHECK(st.MPI_SOURCE == (rank + size - 1) % size);
    cairn::finalize();
    clean_env();
}

TEST_CASE("non-blocking: snapshots aborted abort_limit times in a row are an error naming the cause",
          "[boundary]") {
    if (!mode_is("nonblocking") || world_size() < 2) return;
    // Rank 1 calls its safe point and then sends; rank 0 receives and then calls its safe point:
    // rank 0 receives, before its cut k, what rank 1 sent after its cut k. Every cut sees an
    // early message and aborts.
    fresh("bd_streak", "steps:1");
    setenv("CAIRN_ABORT_LIMIT", "3", 1);
    cairn::init();
    int step = 0;
    cairn::register_scalar("step", step);
    CHECK_FALSE(cairn::restore());
    std::vector<std::string> errors;
    for (int i = 0; i < 8; ++i) {
        int v = i;
        ++step;
        std::string e;
        if (world_rank() != 0) e = safe_point_error();
        if (world_rank() == 1) MPI_Send(&v, 1, MPI_INT, 0, 9, MPI_COMM_WORLD);
        if (world_rank() == 0) {
            MPI_Recv(&v, 1, MPI_INT, 1, 9, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            e = safe_point_error();
        }
        if (!e.empty()) errors.push_back(e);
    }
    cairn::finalize();
    clean_env();
    REQUIRE(errors.size() == 1);  // once, when the third abort in a row is known
    INFO(errors[0]);
    CHECK_THAT(errors[0], Catch::Contains("3 snapshots in a row aborted"));
    if (world_rank() == 0) {
        CHECK_THAT(errors[0], Catch::Contains("rank 0 received an early message from rank 1 "
                                              "(communicator 0, tag 9)") &&
                                  Catch::Contains("Fix:"));
        CHECK(committed_safe_points("bd_streak").empty());
    }
}

TEST_CASE("non-blocking: a snapshot that times out commits nothing and the next is consistent",
          "[boundary]") {
    if (!mode_is("nonblocking") || world_size() < 2) return;
    // Rank 1 sends before safe point 2; rank 0's receive was posted before it and is waited for
    // 3 s after it, with no MPI call meanwhile: the message is matched by the application's
    // request, so the runtime can neither see nor pull it, and the snapshot at 2 times out
    // after epoch_timeout = 1 s (on the progress thread). Nothing is committed for it; the
    // message arrives later as a straggler and the snapshot at 4 must be consistent.
    fresh("bd_timeout", "steps:2");
    setenv("CAIRN_EPOCH_TIMEOUT", "1s", 1);
    setenv("CAIRN_ON_ERROR", "continue", 1);
    cairn::init();
    long long total = 0;  // what rank 0 received, what rank 1 sent
    cairn::register_scalar("total", total);
    CHECK_FALSE(cairn::restore());
    long long v = 5;
    MPI_Request r = MPI_REQUEST_NULL;
    if (world_rank() == 0) MPI_Irecv(&v, 1, MPI_LONG_LONG, 1, 4, MPI_COMM_WORLD, &r);
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 1) {
        MPI_Send(&v, 1, MPI_LONG_LONG, 0, 4, MPI_COMM_WORLD);
        total += v;
    }
    cairn::safe_point();
    cairn::safe_point();  // 2: the cut
    if (world_rank() == 0) {
        sleep(3);
        MPI_Wait(&r, MPI_STATUS_IGNORE);
        total += v;
    }
    for (int i = 3; i <= 6; ++i) {
        if (world_rank() == 1) {
            v = i;
            MPI_Send(&v, 1, MPI_LONG_LONG, 0, 4, MPI_COMM_WORLD);
            total += v;
        }
        cairn::safe_point();
        if (world_rank() == 0) {
            MPI_Recv(&v, 1, MPI_LONG_LONG, 1, 4, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            total += v;
        }
    }
    cairn::finalize();
    clean_env();
    if (world_rank() == 0) {
        const auto sp = committed_safe_points("bd_timeout");
        CHECK(std::find(sp.begin(), sp.end(), 2U) == sp.end());
        REQUIRE_FALSE(sp.empty());
        for (const auto e : cairn::detail::list_checkpoints("bd_timeout").committed) {
            const std::string f = "bd_timeout/" + cairn::detail::checkpoint_name(e);
            INFO(f);
            CHECK(channels_consistent(f));
            const auto meta = cairn::detail::inspect_checkpoint_file(f).meta;
            if (meta.safe_point == 4) CHECK(meta.stats.aborted_epochs == 1);
        }
        CHECK(sp.front() == 4);
    }
}

namespace {

// Calls safe_point() n times; returns the errors it threw.
std::vector<std::string> safe_points(int n) {
    std::vector<std::string> errors;
    for (int i = 0; i < n; ++i) {
        std::string e = safe_point_error();
        if (!e.empty()) errors.push_back(e);
    }
    return errors;
}

bool any_contains(const std::vector<std::string>& v, const std::string& what) {
    for (const auto& s : v)
        if (s.find(what) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("intercommunicator messages in flight at a cut are logged like any other",
          "[boundary]") {
    if (world_size() < 2) return;
    // Two groups (even and odd ranks) joined by MPI_Intercomm_create. Each even rank sends its
    // odd partner a message on the intercommunicator before safe point 1; the partner receives
    // it after: in both modes it must be in the checkpoint's channel state (it used to pass
    // without a header and be lost).
    fresh("bd_inter", "steps:1");
    setenv("CAIRN_ON_ERROR", "continue", 1);
    cairn::init();
    int step = 0;
    cairn::register_scalar("step", step);
    CHECK_FALSE(cairn::restore());
    const int rank = world_rank();
    const int pairs = world_size() / 2;
    MPI_Comm half = MPI_COMM_NULL;
    MPI_Comm inter = MPI_COMM_NULL;
    if (rank < 2 * pairs) {
        MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
        MPI_Intercomm_create(half, 0, MPI_COMM_WORLD, rank % 2 == 0 ? 1 : 0, 21, &inter);
    } else {
        MPI_Comm_split(MPI_COMM_WORLD, MPI_UNDEFINED, rank, &half);
    }
    long long v = 500 + rank;
    if (inter != MPI_COMM_NULL && rank % 2 == 0) {
        MPI_Send(&v, 1, MPI_LONG_LONG, rank / 2, 8, inter);
    }
    step = 1;
    CHECK(safe_point_error().empty());
    if (inter != MPI_COMM_NULL && rank % 2 == 1) {
        MPI_Status st;
        MPI_Recv(&v, 1, MPI_LONG_LONG, MPI_ANY_SOURCE, MPI_ANY_TAG, inter, &st);
        CHECK(v == 500 + rank - 1);
        CHECK(st.MPI_SOURCE == rank / 2);
        CHECK(st.MPI_TAG == 8);
    }
    CHECK(safe_point_error().empty());
    if (inter != MPI_COMM_NULL) MPI_Comm_free(&inter);
    if (half != MPI_COMM_NULL) MPI_Comm_free(&half);
    cairn::finalize();
    clean_env();
    if (rank == 0) {
        const auto l = cairn::detail::list_checkpoints("bd_inter");
        REQUIRE_FALSE(l.committed.empty());
        const std::string f = "bd_inter/" + cairn::detail::checkpoint_name(l.committed[0]);
        CHECK(cairn::detail::inspect_checkpoint_file(f).meta.safe_point == 1);
        CHECK(channels_consistent(f));
        const auto ch = cairn::detail::read_channel_state(f, 1);
        REQUIRE(ch.messages.size() == 1);
        CHECK(ch.messages[0].source == 0);
        CHECK(ch.messages[0].tag == 8);
    }
}

TEST_CASE("a nonblocking collective pending at a safe point refuses the commit", "[boundary]") {
    if (world_size() < 2) return;
    fresh("bd_nbc", "steps:1");
    setenv("CAIRN_ABORT_LIMIT", "1", 1);  // non-blocking: the first refusal is the error
    cairn::init();
    int step = 0;
    cairn::register_scalar("step", step);
    CHECK_FALSE(cairn::restore());
    int in = world_rank();
    int out = -1;
    MPI_Request r = MPI_REQUEST_NULL;
    MPI_Iallreduce(&in, &out, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &r);
    std::vector<std::string> errors = safe_points(1);  // the cut, with the reduction pending
    MPI_Wait(&r, MPI_STATUS_IGNORE);
    CHECK(out == world_size() * (world_size() - 1) / 2);
    const auto later = safe_points(3);  // completed: these commit
    errors.insert(errors.end(), later.begin(), later.end());
    cairn::finalize();
    clean_env();
    INFO((errors.empty() ? std::string() : errors[0]));
    REQUIRE(errors.size() == 1);
    CHECK(any_contains(errors, "nonblocking collective(s) pending at the safe point (first: "
                               "MPI_Iallreduce)"));
    if (world_rank() == 0) {
        const auto sp = committed_safe_points("bd_nbc");
        CHECK(std::find(sp.begin(), sp.end(), 1U) == sp.end());
        CHECK_FALSE(sp.empty());
    }
}

TEST_CASE("the application's nonblocking or split collective MPI-IO pending at a safe point "
          "refuses the commit", "[boundary]") {
    if (world_size() < 2) return;
    fresh("bd_io", "steps:1");
    setenv("CAIRN_ABORT_LIMIT", "1", 1);
    cairn::init();
    int step = 0;
    cairn::register_scalar("step", step);
    CHECK_FALSE(cairn::restore());
    MPI_File fh = MPI_FILE_NULL;
    const std::string path = "bd_io_data.bin";
    REQUIRE(MPI_File_open(MPI_COMM_WORLD, path.c_str(), MPI_MODE_CREATE | MPI_MODE_RDWR,
                          MPI_INFO_NULL, &fh) == MPI_SUCCESS);
    const int mine[2] = {world_rank(), 7 * world_rank()};
    const MPI_Offset at = static_cast<MPI_Offset>(sizeof(mine)) * world_rank();
    MPI_Request r = MPI_REQUEST_NULL;
    MPI_File_iwrite_at(fh, at, mine, 2, MPI_INT, &r);
    std::vector<std::string> errors = safe_points(1);  // the write may still be under way
    MPI_Wait(&r, MPI_STATUS_IGNORE);
    auto later = safe_points(2);  // completed: these commit
    errors.insert(errors.end(), later.begin(), later.end());
    MPI_File_write_at_all_begin(fh, at, mine, 2, MPI_INT);
    later = safe_points(1);  // a split collective open across the safe point
    errors.insert(errors.end(), later.begin(), later.end());
    MPI_File_write_at_all_end(fh, mine, MPI_STATUS_IGNORE);
    later = safe_points(2);
    errors.insert(errors.end(), later.begin(), later.end());
    int back[2] = {-1, -1};
    MPI_File_read_at(fh, at, back, 2, MPI_INT, MPI_STATUS_IGNORE);  // blocking: not watched
    MPI_File_close(&fh);
    cairn::finalize();
    clean_env();
    CHECK(back[0] == mine[0]);
    CHECK(back[1] == mine[1]);
    INFO((errors.empty() ? std::string() : errors[0]));
    REQUIRE(errors.size() == 2);
    CHECK(any_contains(errors, "nonblocking MPI-IO operation(s) pending at the safe point "
                               "(first: MPI_File_iwrite_at)"));
    CHECK(any_contains(errors, "split collective MPI-IO operation open at the safe point "
                               "(MPI_File_write_at_all_begin not yet ended)"));
    if (world_rank() == 0) {
        const auto sp = committed_safe_points("bd_io");
        CHECK(std::find(sp.begin(), sp.end(), 1U) == sp.end());
        CHECK(std::find(sp.begin(), sp.end(), 4U) == sp.end());
        CHECK(sp.size() >= 3);
        std::error_code ec;
        fs::remove(path, ec);
    }
}

TEST_CASE("an RMA operation not synchronised at a safe point refuses the commit", "[boundary]") {
    if (world_size() < 2) return;
    fresh("bd_rma", "steps:1");
    setenv("CAIRN_ABORT_LIMIT", "1", 1);
    cairn::init();
    int step = 0;
    cairn::register_scalar("step", step);
    CHECK_FALSE(cairn::restore());
    // MPI_Win_allocate: the test environment switches Open MPI's single-copy mechanism off,
    // which its MPI_Win_create needs on one node; the shared-memory component allocates.
    int* mem = nullptr;
    MPI_Win win = MPI_WIN_NULL;
    MPI_Win_allocate(4 * sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &mem, &win);
    for (int i = 0; i < 4; ++i) mem[i] = -1;
    MPI_Win_fence(0, win);
    const int value = 31;
    if (world_rank() == 0) MPI_Put(&value, 1, MPI_INT, 1, 2, 1, MPI_INT, win);
    std::vector<std::string> errors = safe_points(1);  // the Put may still change rank 1
    MPI_Win_fence(0, win);
    if (world_rank() == 1) CHECK(mem[2] == 31);
    const auto later = safe_points(3);
    errors.insert(errors.end(), later.begin(), later.end());
    MPI_Win_free(&win);
    cairn::finalize();
    clean_env();
    INFO((errors.empty() ? std::string() : errors[0]));
    REQUIRE(errors.size() == 1);
    if (world_rank() == 0) {
        CHECK(any_contains(errors, "an RMA operation (MPI_Put to rank 1) not yet completed"));
        const auto sp = committed_safe_points("bd_rma");
        CHECK(std::find(sp.begin(), sp.end(), 1U) == sp.end());
        CHECK_FALSE(sp.empty());
    }
}

TEST_CASE("a connection to processes outside the job refuses every later commit", "[boundary]") {
    if (world_size() < 2) return;
    // Ranks 0 and 1 connect through MPI_Open_port / MPI_Comm_accept / MPI_Comm_connect on
    // MPI_COMM_SELF. Here both ends happen to be in the same job, but cairn refuses on the call
    // (in general the other end is another job). The note lasts for the whole process, so this
    // case comes last in the file.
    fresh("bd_dynamic", "steps:1");
    setenv("CAIRN_ABORT_LIMIT", "1", 1);
    cairn::init();
    int step = 0;
    cairn::register_scalar("step", step);
    CHECK_FALSE(cairn::restore());
    CHECK(safe_points(1).empty());  // before the connection: committed
    char port[MPI_MAX_PORT_NAME] = {};
    if (world_rank() == 0) MPI_Open_port(MPI_INFO_NULL, port);
    MPI_Bcast(port, MPI_MAX_PORT_NAME, MPI_CHAR, 0, MPI_COMM_WORLD);
    MPI_Comm other = MPI_COMM_NULL;
    if (world_rank() == 0) MPI_Comm_accept(port, MPI_INFO_NULL, 0, MPI_COMM_SELF, &other);
    if (world_rank() == 1) MPI_Comm_connect(port, MPI_INFO_NULL, 0, MPI_COMM_SELF, &other);
    const auto errors = safe_points(3);
    if (other != MPI_COMM_NULL) MPI_Comm_disconnect(&other);
    if (world_rank() == 0) MPI_Close_port(port);
    cairn::finalize();
    clean_env();
    INFO((errors.empty() ? std::string() : errors[0]));
    REQUIRE_FALSE(errors.empty());
    if (world_rank() <= 1) {
        CHECK(any_contains(errors, "outside MPI_COMM_WORLD (MPI_Comm_"));
    }
    if (world_rank() == 0) CHECK(committed_safe_points("bd_dynamic") == std::vector<std::uint64_t>{1});
}
