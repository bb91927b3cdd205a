// Wrapper transparency: a plain MPI program (it never calls cairn) exercising every point-to-point
// call libcairn interposes. It checks what it receives and writes a digest of all received data
// and statuses to digest.<rank>.txt; run plain, with libcairn preloaded in non-blocking mode and in
// blocking mode, the digests must be identical. Needs at least 2 ranks.
#include "wrap_digest.hpp"
#include "wrap_sections.hpp"

#include <mpi.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

using wrap_test::digest;
using wrap_test::pattern;

namespace wrap_test {

namespace {

void blocking_sends(const ring& g, digest& d) {
    MPI_Status st;
    // Send + Recv(ANY_SOURCE, ANY_TAG); even ranks send first so the ring cannot deadlock.
    auto out = pattern<int>(10, g.rank);
    std::vector<int> in(16, -1);
    auto send = [&] { MPI_Send(out.data(), 10, MPI_INT, g.right, 100 + g.rank, MPI_COMM_WORLD); };
    auto recv = [&] {
        MPI_Recv(in.data(), 16, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    };
    ordered(g, send, recv);
    d.status("send/recv-any", st, MPI_INT);
    d.data("send/recv-any", in.data(), in.size() * sizeof(int));
    d.check(st.MPI_SOURCE == g.left && st.MPI_TAG == 100 + g.left, "Recv ANY: source/tag");
    d.check(std::equal(in.begin(), in.begin() + 10, pattern<int>(10, g.left).begin()), "Recv data");

    // Ssend.
    auto dout = pattern<double>(7, g.rank + 1);
    std::vector<double> din(7, 0);
    auto ssend = [&] { MPI_Ssend(dout.data(), 7, MPI_DOUBLE, g.right, 200, MPI_COMM_WORLD); };
    auto srecv = [&] { MPI_Recv(din.data(), 7, MPI_DOUBLE, g.left, 200, MPI_COMM_WORLD, &st); };
    ordered(g, ssend, srecv);
    d.status("ssend", st, MPI_DOUBLE);
    d.data("ssend", din.data(), din.size() * sizeof(double));
    d.check(din == pattern<double>(7, g.left + 1), "Ssend data");

    // Rsend against a pre-posted Irecv.
    auto cout = pattern<char>(33, g.rank + 2);
    std::vector<char> cin(40, 0);
    MPI_Request rq;
    MPI_Irecv(cin.data(), 40, MPI_CHAR, g.left, 300, MPI_COMM_WORLD, &rq);
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Rsend(cout.data(), 33, MPI_CHAR, g.right, 300, MPI_COMM_WORLD);
    MPI_Wait(&rq, &st);
    d.status("rsend", st, MPI_CHAR);
    d.data("rsend", cin.data(), cin.size());
    d.check(std::equal(cin.begin(), cin.begin() + 33, pattern<char>(33, g.left + 2).begin()),
            "Rsend data");

    // Bsend and Ibsend with an attached buffer (64 bytes per message for cairn's header).
    int pack = 0;
    MPI_Pack_size(100, MPI_INT, MPI_COMM_WORLD, &pack);
    std::vector<char> bbuf(static_cast<std::size_t>(2 * (pack + MPI_BSEND_OVERHEAD + 64)));
    MPI_Buffer_attach(bbuf.data(), static_cast<int>(bbuf.size()));
    auto b1 = pattern<int>(100, g.rank + 3);
    auto b2 = pattern<int>(100, g.rank + 4);
    MPI_Bsend(b1.data(), 100, MPI_INT, g.right, 400, MPI_COMM_WORLD);
    MPI_Ibsend(b2.data(), 100, MPI_INT, g.right, 401, MPI_COMM_WORLD, &rq);
    std::vector<int> bin(100);
    MPI_Recv(bin.data(), 100, MPI_INT, g.left, 400, MPI_COMM_WORLD, &st);
    d.status("bsend", st, MPI_INT);
    d.check(bin == pattern<int>(100, g.left + 3), "Bsend data");
    MPI_Recv(bin.data(), 100, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    d.status("ibsend", st, MPI_INT);
    d.check(bin == pattern<int>(100, g.left + 4) && st.MPI_TAG == 401, "Ibsend data");
    MPI_Wait(&rq, MPI_STATUS_IGNORE);
    void* detached = nullptr;
    int detached_size = 0;
    MPI_Buffer_detach(&detached, &detached_size);
}

void nonblocking_sends(const ring& g, digest& d) {
    int pack = 0;
    MPI_Pack_size(50, MPI_INT, MPI_COMM_WORLD, &pack);
    std::vector<char> bbuf(static_cast<std::size_t>(pack + MPI_BSEND_OVERHEAD + 64));
    MPI_Buffer_attach(bbuf.data(), static_cast<int>(bbuf.size()));
    std::array<std::vector<int>, 4> out;
    std::array<std::vector<int>, 4> in;
    std::array<MPI_Request, 8> rq{};
    for (int i = 0; i < 4; ++i) {
        out[i] = pattern<int>(static_cast<std::size_t>(20 + 10 * i), g.rank * 4 + i);
        in[i].assign(60, -1);
        MPI_Irecv(in[i].data(), 60, MPI_INT, g.left, 500 + i, MPI_COMM_WORLD, &rq[4 + i]);
    }
    MPI_Barrier(MPI_COMM_WORLD);  // every Irecv is posted: Irsend is legal
    MPI_Isend(out[0].data(), 20, MPI_INT, g.right, 500, MPI_COMM_WORLD, &rq[0]);
    MPI_Issend(out[1].data(), 30, MPI_INT, g.right, 501, MPI_COMM_WORLD, &rq[1]);
    MPI_Irsend(out[2].data(), 40, MPI_INT, g.right, 502, MPI_COMM_WORLD, &rq[2]);
    MPI_Ibsend(out[3].data(), 50, MPI_INT, g.right, 503, MPI_COMM_WORLD, &rq[3]);
    std::array<MPI_Status, 8> sts{};
    MPI_Waitall(8, rq.data(), sts.data());
    static const char* names[] = {"isend", "issend", "irsend", "ibsend"};
    for (int i = 0; i < 4; ++i) {
        d.status(names[i], sts[4 + i], MPI_INT);
        d.data(names[i], in[i].data(), in[i].size() * sizeof(int));
        auto want = pattern<int>(static_cast<std::size_t>(20 + 10 * i), g.left * 4 + i);
        d.check(std::equal(want.begin(), want.end(), in[i].begin()),
                std::string(names[i]) + " data");
    }
    void* detached = nullptr;
    int detached_size = 0;
    MPI_Buffer_detach(&detached, &detached_size);
}

void persistent(const ring& g, digest& d) {
    std::vector<long long> sbuf(8);
    std::vector<long long> rbuf(8);
    std::array<MPI_Request, 2> rq{};
    MPI_Recv_init(rbuf.data(), 8, MPI_LONG_LONG, g.left, 600, MPI_COMM_WORLD, &rq[0]);
    MPI_Send_init(sbuf.data(), 8, MPI_LONG_LONG, g.right, 600, MPI_COMM_WORLD, &rq[1]);
    std::array<MPI_Status, 2> sts{};
    for (int it = 0; it < 3; ++it) {
        const auto next = pattern<long long>(8, g.rank * 10 + it);
        std::copy(next.begin(), next.end(), sbuf.begin());  // the request holds sbuf.data()
        MPI_Startall(2, rq.data());
        MPI_Waitall(2, rq.data(), sts.data());
        d.status("persistent-startall " + std::to_string(it), sts[0], MPI_LONG_LONG);
        d.check(rbuf == pattern<long long>(8, g.left * 10 + it), "Startall data");
    }
    for (auto& r : rq) MPI_Request_free(&r);  // inactive persistent requests

    // Start/Wait one at a time, ANY_SOURCE/ANY_TAG receive, Ssend_init; then Test on the inactive
    // persistent request (empty status) and Request_free.
    MPI_Request rr;
    MPI_Request rs;
    MPI_Request rss;
    MPI_Recv_init(rbuf.data(), 8, MPI_LONG_LONG, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &rr);
    MPI_Send_init(sbuf.data(), 5, MPI_LONG_LONG, g.right, 601, MPI_COMM_WORLD, &rs);
    MPI_Ssend_init(sbuf.data(), 6, MPI_LONG_LONG, g.right, 602, MPI_COMM_WORLD, &rss);
    MPI_Status st;
    for (int it = 0; it < 2; ++it) {
        const auto next = pattern<long long>(8, g.rank * 20 + it);
        std::copy(next.begin(), next.end(), sbuf.begin());
        MPI_Start(&rr);
        MPI_Start(it == 0 ? &rs : &rss);
        MPI_Wait(it == 0 ? &rs : &rss, MPI_STATUS_IGNORE);
        MPI_Wait(&rr, &st);
        d.status("persistent-start " + std::to_string(it), st, MPI_LONG_LONG);
        d.data("persistent-start " + std::to_string(it), rbuf.data(), 8 * (5 + it));
        d.check(st.MPI_SOURCE == g.left && st.MPI_TAG == 601 + it, "Start ANY source/tag");
        MPI_Barrier(MPI_COMM_WORLD);  // the ANY_TAG receive must not see the next iteration's
    }
    // Bsend_init with an attached buffer; Rsend_init once the receive is posted.
    int pack = 0;
    MPI_Pack_size(8, MPI_LONG_LONG, MPI_COMM_WORLD, &pack);
    std::vector<char> bbuf(static_cast<std::size_t>(pack + MPI_BSEND_OVERHEAD + 64));
    MPI_Buffer_attach(bbuf.data(), static_cast<int>(bbuf.size()));
    MPI_Request rb;
    MPI_Request rrs;
    MPI_Bsend_init(sbuf.data(), 7, MPI_LONG_LONG, g.right, 603, MPI_COMM_WORLD, &rb);
    MPI_Rsend_init(sbuf.data(), 8, MPI_LONG_LONG, g.right, 604, MPI_COMM_WORLD, &rrs);
    MPI_Start(&rb);
    MPI_Recv(rbuf.data(), 8, MPI_LONG_LONG, g.left, 603, MPI_COMM_WORLD, &st);
    MPI_Wait(&rb, MPI_STATUS_IGNORE);
    d.status("persistent-bsend", st, MPI_LONG_LONG);
    d.data("persistent-bsend", rbuf.data(), 7 * sizeof(long long));
    MPI_Request pre;
    MPI_Irecv(rbuf.data(), 8, MPI_LONG_LONG, g.left, 604, MPI_COMM_WORLD, &pre);
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Start(&rrs);
    MPI_Wait(&pre, &st);
    MPI_Wait(&rrs, MPI_STATUS_IGNORE);
    d.status("persistent-rsend", st, MPI_LONG_LONG);
    d.check(rbuf == pattern<long long>(8, g.left * 20 + 1), "Rsend_init data");
    MPI_Request_free(&rb);
    MPI_Request_free(&rrs);
    void* detached = nullptr;
    int detached_size = 0;
    MPI_Buffer_detach(&detached, &detached_size);

    int flag = 0;
    MPI_Test(&rr, &flag, &st);
    d.value("test-inactive-persistent flag", flag);
    d.status("test-inactive-persistent", st, MPI_LONG_LONG);
    MPI_Request_free(&rr);
    MPI_Request_free(&rs);
    MPI_Request_free(&rss);
    d.check(rr == MPI_REQUEST_NULL, "Request_free sets MPI_REQUEST_NULL");
}

void sendrecv(const ring& g, digest& d) {
    MPI_Status st;
    auto out = pattern<int>(12, g.rank + 5);
    std::vector<int> in(20, -1);
    MPI_Sendrecv(out.data(), 12, MPI_INT, g.right, 700, in.data(), 20, MPI_INT, MPI_ANY_SOURCE, 700,
                 MPI_COMM_WORLD, &st);
    d.status("sendrecv", st, MPI_INT);
    d.data("sendrecv", in.data(), in.size() * sizeof(int));
    d.check(std::equal(in.begin(), in.begin() + 12, pattern<int>(12, g.left + 5).begin()),
            "Sendrecv data");
    auto buf = pattern<double>(9, g.rank + 6);
    MPI_Sendrecv_replace(buf.data(), 9, MPI_DOUBLE, g.right, 701, g.left, 701, MPI_COMM_WORLD, &st);
    d.status("sendrecv_replace", st, MPI_DOUBLE);
    d.check(buf == pattern<double>(9, g.left + 6), "Sendrecv_replace data");
}

void cancel_and_free(const ring& g, digest& d) {
    // Cancel of an Irecv that nothing matches (specific source, then ANY_SOURCE).
    std::vector<int> buf(4);
    for (int src : {g.left, static_cast<int>(MPI_ANY_SOURCE)}) {
        MPI_Request rq;
        MPI_Status st;
        MPI_Irecv(buf.data(), 4, MPI_INT, src, 999, MPI_COMM_WORLD, &rq);
        MPI_Cancel(&rq);
        MPI_Wait(&rq, &st);
        int cancelled = 0;
        MPI_Test_cancelled(&st, &cancelled);
        d.value("cancel-irecv cancelled", cancelled);
        d.check(cancelled == 1, "Irecv cancelled");
    }
    // Request_free of an active Isend: the receive and the barrier prove completion.
    auto out = pattern<int>(5, g.rank + 7);
    MPI_Request rq;
    MPI_Isend(out.data(), 5, MPI_INT, g.right, 1000, MPI_COMM_WORLD, &rq);
    MPI_Request_free(&rq);
    MPI_Status st;
    std::vector<int> in(5);
    MPI_Recv(in.data(), 5, MPI_INT, g.left, 1000, MPI_COMM_WORLD, &st);
    d.status("request_free-active-isend", st, MPI_INT);
    d.check(in == pattern<int>(5, g.left + 7), "freed Isend data");
    MPI_Barrier(MPI_COMM_WORLD);
}

}  // namespace

}  // namespace wrap_test

int main(int argc, char** argv) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SINGLE, &provided);
    wrap_test::ring g{};
    MPI_Comm_rank(MPI_COMM_WORLD, &g.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g.size);
    g.right = (g.rank + 1) % g.size;
    g.left = (g.rank + g.size - 1) % g.size;
    digest d(g.rank);
    if (g.size < 2) {
        std::fprintf(stderr, "wrap_transparency: needs at least 2 ranks\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    // The thread level the application sees is the one it asked for, as without cairn (cairn
    // itself asks MPI for MPI_THREAD_MULTIPLE and counts messages without a lock below it).
    int queried = -1;
    MPI_Query_thread(&queried);
    d.value("provided thread level", provided);
    d.value("MPI_Query_thread", queried);
    using section = void (*)(const wrap_test::ring&, digest&);
    const std::pair<const char*, section> sections[] = {
        {"blocking", wrap_test::blocking_sends},
        {"nonblocking", wrap_test::nonblocking_sends},
        {"persistent", wrap_test::persistent},
        {"sendrecv", wrap_test::sendrecv},
        {"probe", wrap_test::probes},
        {"completion", wrap_test::completion},
        {"cancel", wrap_test::cancel_and_free},
        {"datatypes", wrap_test::datatypes},
        {"large", wrap_test::large_and_order},
        {"zero", wrap_test::zero_bytes},
        {"proc_null", wrap_test::proc_null},
        {"comms", wrap_test::communicators},
        {"small", wrap_test::small_messages},
    };
    for (const auto& [name, fn] : sections) {
        d.value(std::string("section ") + name, 0);
        fn(g, d);
        MPI_Barrier(MPI_COMM_WORLD);
    }
    // Nothing may be left over: no message in any queue.
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    d.value("final iprobe flag", flag);
    d.check(flag == 0, "no message left over");
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Finalize();

    const std::string path = "digest." + std::to_string(g.rank) + ".txt";
    if (!d.write(path)) {
        std::fprintf(stderr, "wrap_transparency: cannot write %s\n", path.c_str());
        return 1;
    }
    if (d.errors() != 0) {
        std::fprintf(stderr, "wrap_transparency rank %d: %d checks failed\n", g.rank, d.errors());
        return 1;
    }
    if (g.rank == 0) std::printf("wrap_transparency: %d ranks, all checks passed\n", g.size);
    return 0;
}
