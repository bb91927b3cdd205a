// Section of the wrapper transparency test for small messages (the interposed fast path: dense
// predefined types up to 256 bytes are sent and received as [header | data] through a stack
// buffer): sizes around that limit, ANY_SOURCE/ANY_TAG, probe then receive, matched probes,
// other datatypes on the other side, and truncated receives (the status counts the whole message,
// the buffer holds what fits, as plain MPI does).
#include "wrap_sections.hpp"

#include <mpi.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace wrap_test {

namespace {

void sizes(const ring& g, digest& d) {
    MPI_Status st;
    for (const int n : {0, 1, 8, 255, 256, 257, 1024}) {
        auto out = pattern<char>(static_cast<std::size_t>(n), g.rank + n);
        std::vector<char> in(1100, 0);
        const int cap = n <= 256 ? 256 : 1100;  // a receive on the fast path whenever it fits
        ordered(
            g, [&] { MPI_Send(out.data(), n, MPI_CHAR, g.right, 1500 + n, MPI_COMM_WORLD); },
            [&] { MPI_Recv(in.data(), cap, MPI_CHAR, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st); });
        const std::string label = "small " + std::to_string(n);
        d.status(label, st, MPI_CHAR);
        d.data(label, in.data(), in.size());
        d.check(st.MPI_SOURCE == g.left && st.MPI_TAG == 1500 + n, label + " source/tag");
        d.check(std::equal(in.begin(), in.begin() + n, pattern<char>(static_cast<std::size_t>(n),
                                                                     g.left + n).begin()),
                label + " data");
    }
    // Fewer elements than the receive offers, and a different predefined type on each side.
    auto ints = pattern<int>(10, g.rank + 40);
    std::vector<int> iin(16, -1);
    ordered(
        g, [&] { MPI_Send(ints.data(), 10, MPI_INT, g.right, 1600, MPI_COMM_WORLD); },
        [&] { MPI_Recv(iin.data(), 16, MPI_INT, g.left, MPI_ANY_TAG, MPI_COMM_WORLD, &st); });
    d.status("small 10 of 16 int", st, MPI_INT);
    d.data("small 10 of 16 int", iin.data(), iin.size() * sizeof(int));
    std::vector<unsigned char> bin(64, 0);
    ordered(
        g, [&] { MPI_Send(ints.data(), 10, MPI_INT, g.right, 1601, MPI_COMM_WORLD); },
        [&] { MPI_Recv(bin.data(), 64, MPI_BYTE, MPI_ANY_SOURCE, 1601, MPI_COMM_WORLD, &st); });
    d.status("small int as byte", st, MPI_BYTE);
    d.data("small int as byte", bin.data(), bin.size());
}

void probed(const ring& g, digest& d) {
    auto a = pattern<double>(3, g.rank + 50);
    auto b = pattern<short>(30, g.rank + 51);
    std::array<MPI_Request, 3> sr{};
    MPI_Isend(a.data(), 3, MPI_DOUBLE, g.right, 1700, MPI_COMM_WORLD, &sr[0]);
    MPI_Isend(b.data(), 30, MPI_SHORT, g.right, 1701, MPI_COMM_WORLD, &sr[1]);
    MPI_Isend(a.data(), 2, MPI_DOUBLE, g.right, 1702, MPI_COMM_WORLD, &sr[2]);
    MPI_Status st;
    int count = 0;
    // Probe any, then receive exactly what the probe announced.
    MPI_Probe(g.left, 1700, MPI_COMM_WORLD, &st);
    d.status("small probe", st, MPI_DOUBLE);
    MPI_Get_count(&st, MPI_DOUBLE, &count);
    std::vector<double> din(static_cast<std::size_t>(std::max(count, 0)));
    MPI_Recv(din.data(), count, MPI_DOUBLE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, &st);
    d.status("small probe-recv", st, MPI_DOUBLE);
    d.check(din == pattern<double>(3, g.left + 50), "small probe-recv data");
    // Matched probe of any tag, then Mrecv.
    MPI_Message msg;
    MPI_Mprobe(MPI_ANY_SOURCE, 1701, MPI_COMM_WORLD, &msg, &st);
    d.status("small mprobe", st, MPI_SHORT);
    MPI_Get_count(&st, MPI_SHORT, &count);
    std::vector<short> sin(static_cast<std::size_t>(std::max(count, 0)));
    MPI_Mrecv(sin.data(), count, MPI_SHORT, &msg, &st);
    d.status("small mrecv", st, MPI_SHORT);
    d.check(sin == pattern<short>(30, g.left + 51), "small mrecv data");
    // Iprobe with ANY_TAG, status ignored on the receive.
    int flag = 0;
    while (flag == 0) MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    d.status("small iprobe-any", st, MPI_DOUBLE);
    std::array<double, 4> four{};
    MPI_Recv(four.data(), 4, MPI_DOUBLE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    d.check(st.MPI_TAG == 1702 && four[0] == pattern<double>(3, g.left + 50)[0] &&
                four[2] == 0.0,
            "small iprobe data");
    d.data("small iprobe-any", four.data(), sizeof four);
    MPI_Waitall(3, sr.data(), MPI_STATUSES_IGNORE);
}

// Receives of messages longer than the buffer on a communicator whose errors return: every
// receive path (stack, bounce buffer, struct type, Irecv + Wait) must report MPI_ERR_TRUNCATE,
// deliver the part that fits and count the whole message, like plain MPI.
void truncation(const ring& g, digest& d) {
    MPI_Comm c;
    MPI_Comm_dup(MPI_COMM_WORLD, &c);
    MPI_Comm_set_errhandler(c, MPI_ERRORS_RETURN);
    struct shape {
        const char* name;
        int sent;
        int room;
        bool irecv;
    };
    const shape shapes[] = {{"stack", 16, 8, false},
                            {"bounce", 2000, 1000, false},
                            {"struct", 5000, 4500, false},
                            {"irecv", 16, 4, true}};
    int tag = 1800;
    for (const shape& s : shapes) {
        auto out = pattern<int>(static_cast<std::size_t>(s.sent), g.rank + tag);
        std::vector<int> in(static_cast<std::size_t>(s.sent), -1);
        MPI_Status st;
        int rc = MPI_SUCCESS;
        MPI_Request sr;
        MPI_Isend(out.data(), s.sent, MPI_INT, g.right, tag, c, &sr);
        if (s.irecv) {
            MPI_Request rr;
            MPI_Irecv(in.data(), s.room, MPI_INT, g.left, tag, c, &rr);
            rc = MPI_Wait(&rr, &st);
        } else {
            rc = MPI_Recv(in.data(), s.room, MPI_INT, MPI_ANY_SOURCE, tag, c, &st);
        }
        MPI_Wait(&sr, MPI_STATUS_IGNORE);
        int cls = MPI_SUCCESS;
        MPI_Error_class(rc, &cls);
        const std::string label = std::string("truncated ") + s.name;
        d.value(label + " error class is TRUNCATE", cls == MPI_ERR_TRUNCATE ? 1 : 0);
        d.check(cls == MPI_ERR_TRUNCATE, label + " reports MPI_ERR_TRUNCATE");
        d.status(label, st, MPI_INT);
        d.data(label, in.data(), in.size() * sizeof(int));
        auto want = pattern<int>(static_cast<std::size_t>(s.sent), g.left + tag);
        d.check(std::equal(in.begin(), in.begin() + s.room, want.begin()), label + " data");
        ++tag;
    }
    MPI_Barrier(c);
    MPI_Comm_free(&c);
}

}  // namespace

void small_messages(const ring& g, digest& d) {
    sizes(g, d);
    probed(g, d);
    truncation(g, d);
}

}  // namespace wrap_test
