// Sections of the wrapper transparency test: probes, completion calls, datatypes, large and
// zero-byte messages, MPI_PROC_NULL, communicators.
#include "wrap_sections.hpp"

#include <mpi.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace wrap_test {

void probes(const ring& g, digest& d) {
    auto a = pattern<int>(17, g.rank + 10);
    auto b = pattern<double>(5, g.rank + 11);
    auto c = pattern<char>(1000, g.rank + 12);
    auto e = pattern<int>(40000, g.rank + 13);  // 160 KB: above the packing threshold
    std::array<MPI_Request, 5> sr{};
    MPI_Isend(a.data(), 17, MPI_INT, g.right, 800, MPI_COMM_WORLD, &sr[0]);
    MPI_Isend(b.data(), 5, MPI_DOUBLE, g.right, 801, MPI_COMM_WORLD, &sr[1]);
    MPI_Isend(c.data(), 1000, MPI_CHAR, g.right, 802, MPI_COMM_WORLD, &sr[2]);
    MPI_Isend(e.data(), 40000, MPI_INT, g.right, 803, MPI_COMM_WORLD, &sr[3]);
    MPI_Isend(nullptr, 0, MPI_INT, g.right, 804, MPI_COMM_WORLD, &sr[4]);

    MPI_Status st;
    int count = 0;
    // Probe (by source and tag, out of send order: 801 first).
    int flag = 0;
    while (flag == 0) MPI_Iprobe(MPI_ANY_SOURCE, 801, MPI_COMM_WORLD, &flag, &st);
    d.status("iprobe", st, MPI_DOUBLE);
    std::vector<double> bin(8);
    MPI_Recv(bin.data(), 8, MPI_DOUBLE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, &st);
    d.status("iprobe-recv", st, MPI_DOUBLE);
    d.check(std::equal(bin.begin(), bin.begin() + 5, pattern<double>(5, g.left + 11).begin()),
            "Iprobe+Recv data");

    MPI_Probe(g.left, 800, MPI_COMM_WORLD, &st);
    d.status("probe", st, MPI_INT);
    MPI_Get_count(&st, MPI_INT, &count);
    std::vector<int> ain(static_cast<std::size_t>(std::max(count, 0)));
    MPI_Recv(ain.data(), count, MPI_INT, g.left, 800, MPI_COMM_WORLD, &st);
    d.status("probe-recv", st, MPI_INT);
    d.check(ain == pattern<int>(17, g.left + 10), "Probe+Recv data");

    MPI_Message msg;
    MPI_Mprobe(MPI_ANY_SOURCE, 802, MPI_COMM_WORLD, &msg, &st);
    d.status("mprobe", st, MPI_CHAR);
    MPI_Get_count(&st, MPI_CHAR, &count);
    std::vector<char> cin(static_cast<std::size_t>(std::max(count, 0)));
    MPI_Mrecv(cin.data(), count, MPI_CHAR, &msg, &st);
    d.status("mrecv", st, MPI_CHAR);
    d.check(cin == pattern<char>(1000, g.left + 12) && msg == MPI_MESSAGE_NULL, "Mrecv data");

    flag = 0;
    while (flag == 0) MPI_Improbe(g.left, 803, MPI_COMM_WORLD, &flag, &msg, &st);
    d.status("improbe", st, MPI_INT);
    MPI_Get_count(&st, MPI_INT, &count);
    std::vector<int> ein(static_cast<std::size_t>(std::max(count, 0)));
    MPI_Request rq;
    MPI_Imrecv(ein.data(), count, MPI_INT, &msg, &rq);
    MPI_Wait(&rq, &st);
    d.status("imrecv", st, MPI_INT);
    d.data("imrecv", ein.data(), ein.size() * sizeof(int));
    d.check(ein == pattern<int>(40000, g.left + 13), "Imrecv data");

    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    d.status("probe-zero", st, MPI_INT);
    MPI_Recv(nullptr, 0, MPI_INT, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, &st);
    d.status("probe-zero-recv", st, MPI_INT);
    MPI_Waitall(5, sr.data(), MPI_STATUSES_IGNORE);
}

void completion(const ring& g, digest& d) {
    constexpr int n = 8;
    std::array<std::vector<int>, n> out;
    std::array<std::vector<int>, n> in;
    std::array<MPI_Request, n> rr{};
    std::array<MPI_Request, n> sr{};
    auto size_of = [](int i) { return i == n - 1 ? 20000 : i + 1; };
    for (int i = 0; i < n; ++i) {
        in[i].assign(static_cast<std::size_t>(size_of(i)), -1);
        MPI_Irecv(in[i].data(), size_of(i), MPI_INT, g.left, 900 + i, MPI_COMM_WORLD, &rr[i]);
    }
    for (int i = 0; i < n; ++i) {
        out[i] = pattern<int>(static_cast<std::size_t>(size_of(i)), g.rank * n + i);
        MPI_Isend(out[i].data(), size_of(i), MPI_INT, g.right, 900 + i, MPI_COMM_WORLD, &sr[i]);
    }
    std::array<MPI_Status, n> slot{};
    MPI_Status st;
    int flag = 0;
    while (flag == 0) MPI_Request_get_status(rr[0], &flag, &st);
    d.status("request_get_status", st, MPI_INT);
    MPI_Wait(&rr[0], &slot[0]);
    MPI_Wait(&rr[1], &slot[1]);

    int idx = 0;
    MPI_Waitany(2, &rr[2], &idx, &st);
    slot[2 + idx] = st;
    int outcount = 0;
    std::array<int, 2> idxs{};
    std::array<MPI_Status, 2> sts{};
    MPI_Waitsome(2, &rr[2], &outcount, idxs.data(), sts.data());
    for (int k = 0; k < outcount; ++k) slot[2 + idxs[k]] = sts[k];
    d.value("waitsome outcount", outcount);

    flag = 0;
    while (flag == 0) MPI_Testany(2, &rr[4], &idx, &flag, &st);
    slot[4 + idx] = st;
    outcount = 0;
    while (outcount == 0) MPI_Testsome(2, &rr[4], &outcount, idxs.data(), sts.data());
    for (int k = 0; k < outcount; ++k) slot[4 + idxs[k]] = sts[k];
    d.value("testsome outcount", outcount);

    flag = 0;
    while (flag == 0) MPI_Testall(2, &rr[6], &flag, sts.data());
    slot[6] = sts[0];
    slot[7] = sts[1];
    for (int i = 0; i < n; ++i) {
        d.status("completion " + std::to_string(i), slot[i], MPI_INT);
        d.data("completion " + std::to_string(i), in[i].data(), in[i].size() * sizeof(int));
        d.check(in[i] == pattern<int>(in[i].size(), g.left * n + i), "completion data");
    }
    flag = 0;
    while (flag == 0) MPI_Test(&sr[0], &flag, MPI_STATUS_IGNORE);
    MPI_Waitall(n - 1, &sr[1], MPI_STATUSES_IGNORE);

    // Completion calls on null requests: empty statuses, MPI_UNDEFINED indices.
    MPI_Waitany(n, rr.data(), &idx, &st);
    d.value("waitany-null index", idx == MPI_UNDEFINED ? -1 : idx);
    d.status("waitany-null", st, MPI_INT);
    MPI_Testany(n, rr.data(), &idx, &flag, &st);
    d.value("testany-null flag", flag);
    d.value("testany-null index", idx == MPI_UNDEFINED ? -1 : idx);
    MPI_Waitsome(n, rr.data(), &outcount, idxs.data(), sts.data());
    d.value("waitsome-null outcount", outcount == MPI_UNDEFINED ? -1 : outcount);
    MPI_Testsome(n, rr.data(), &outcount, idxs.data(), sts.data());
    d.value("testsome-null outcount", outcount == MPI_UNDEFINED ? -1 : outcount);
    MPI_Request null_rq = MPI_REQUEST_NULL;
    MPI_Test(&null_rq, &flag, &st);
    d.value("test-null flag", flag);
    d.status("test-null", st, MPI_INT);
    MPI_Wait(&null_rq, &st);
    d.status("wait-null", st, MPI_INT);
    MPI_Request_get_status(MPI_REQUEST_NULL, &flag, &st);
    d.value("get_status-null flag", flag);
    d.status("get_status-null", st, MPI_INT);
    MPI_Testall(n, rr.data(), &flag, MPI_STATUSES_IGNORE);
    d.value("testall-null flag", flag);
}

void datatypes(const ring& g, digest& d) {
    MPI_Datatype vec;
    MPI_Type_vector(5, 2, 4, MPI_INT, &vec);
    MPI_Type_commit(&vec);
    struct pair_t {
        int a;
        double b;
    };
    MPI_Datatype pair_type;
    const std::array<int, 2> lens{1, 1};
    const std::array<MPI_Aint, 2> disps{offsetof(pair_t, a), offsetof(pair_t, b)};
    const std::array<MPI_Datatype, 2> types{MPI_INT, MPI_DOUBLE};
    MPI_Type_create_struct(2, lens.data(), disps.data(), types.data(), &pair_type);
    MPI_Type_commit(&pair_type);
    MPI_Datatype big_vec;
    constexpr int big = 300000;  // 2.4 MB of strided doubles
    MPI_Type_vector(big, 1, 2, MPI_DOUBLE, &big_vec);
    MPI_Type_commit(&big_vec);

    auto src = pattern<int>(20, g.rank + 20);
    auto big_src = pattern<double>(2 * big, g.rank + 21);
    std::array<pair_t, 3> pairs{};
    for (int i = 0; i < 3; ++i) pairs[i] = {g.rank * 100 + i, g.rank + i * 0.5};
    std::array<MPI_Request, 5> sr{};
    MPI_Isend(src.data(), 1, vec, g.right, 1100, MPI_COMM_WORLD, &sr[0]);
    MPI_Isend(src.data(), 1, vec, g.right, 1101, MPI_COMM_WORLD, &sr[1]);
    MPI_Isend(src.data(), 7, MPI_INT, g.right, 1102, MPI_COMM_WORLD, &sr[2]);
    MPI_Isend(big_src.data(), 1, big_vec, g.right, 1103, MPI_COMM_WORLD, &sr[3]);
    MPI_Isend(pairs.data(), 3, pair_type, g.right, 1104, MPI_COMM_WORLD, &sr[4]);

    MPI_Status st;
    std::vector<int> in(20, -1);
    MPI_Recv(in.data(), 1, vec, g.left, 1100, MPI_COMM_WORLD, &st);
    d.status("vector->vector", st, vec);
    d.status("vector->vector as int", st, MPI_INT);
    d.data("vector->vector", in.data(), in.size() * sizeof(int));
    auto want = pattern<int>(20, g.left + 20);
    for (int i = 0; i < 20; ++i)
        d.check(in[i] == (i % 4 < 2 ? want[i] : -1), "vector receive element " + std::to_string(i));

    std::vector<int> flat(16, -1);
    MPI_Recv(flat.data(), 16, MPI_INT, MPI_ANY_SOURCE, 1101, MPI_COMM_WORLD, &st);
    d.status("vector->int", st, MPI_INT);
    d.data("vector->int", flat.data(), flat.size() * sizeof(int));
    d.check(flat[2] == want[4] && flat[9] == want[17] && flat[10] == -1, "vector->int data");

    in.assign(40, -1);
    MPI_Recv(in.data(), 2, vec, g.left, 1102, MPI_COMM_WORLD, &st);
    d.status("int->vector partial", st, vec);
    d.data("int->vector partial", in.data(), in.size() * sizeof(int));

    std::vector<double> big_in(big + 5, -1.0);
    MPI_Recv(big_in.data(), big + 5, MPI_DOUBLE, MPI_ANY_SOURCE, 1103, MPI_COMM_WORLD, &st);
    d.status("big-vector->double", st, MPI_DOUBLE);
    d.data("big-vector->double", big_in.data(), big_in.size() * sizeof(double));
    auto big_want = pattern<double>(2 * big, g.left + 21);
    d.check(big_in[0] == big_want[0] && big_in[big - 1] == big_want[2 * (big - 1)] &&
                big_in[big] == -1.0,
            "big vector data");

    std::array<pair_t, 5> pin{};
    MPI_Recv(pin.data(), 5, pair_type, g.left, 1104, MPI_COMM_WORLD, &st);
    d.status("struct", st, pair_type);
    d.status("struct as int", st, MPI_INT);
    for (int i = 0; i < 3; ++i) {
        d.value("struct a", pin[i].a);
        d.check(pin[i].a == g.left * 100 + i && pin[i].b == g.left + i * 0.5, "struct data");
    }
    MPI_Waitall(5, sr.data(), MPI_STATUSES_IGNORE);
    MPI_Type_free(&vec);
    MPI_Type_free(&pair_type);
    MPI_Type_free(&big_vec);
}

void large_and_order(const ring& g, digest& d) {
    constexpr std::size_t mib4 = 4U << 20U;
    auto big = pattern<unsigned char>(mib4, g.rank + 30);
    std::vector<unsigned char> in(mib4 + 100, 0);
    MPI_Request sr;
    MPI_Status st;
    MPI_Isend(big.data(), static_cast<int>(mib4), MPI_BYTE, g.right, 1200, MPI_COMM_WORLD, &sr);
    MPI_Recv(in.data(), static_cast<int>(in.size()), MPI_BYTE, MPI_ANY_SOURCE, 1200, MPI_COMM_WORLD,
             &st);
    MPI_Wait(&sr, MPI_STATUS_IGNORE);
    d.status("4MiB isend", st, MPI_BYTE);
    d.data("4MiB isend", in.data(), in.size());
    d.check(std::equal(in.begin(), in.begin() + mib4,
                       pattern<unsigned char>(mib4, g.left + 30).begin()),
            "4 MiB data");

    MPI_Request rr;
    MPI_Irecv(in.data(), static_cast<int>(in.size()), MPI_BYTE, g.left, 1201, MPI_COMM_WORLD, &rr);
    MPI_Issend(big.data(), static_cast<int>(mib4), MPI_BYTE, g.right, 1201, MPI_COMM_WORLD, &sr);
    std::array<MPI_Request, 2> both{rr, sr};
    std::array<MPI_Status, 2> sts{};
    MPI_Waitall(2, both.data(), sts.data());
    d.status("4MiB issend", sts[0], MPI_BYTE);

    // Non-overtaking between one sender and one receiver across the packed and zero-copy paths.
    const std::array<int, 6> sizes{10, 65536, 20, 0, 1 << 20, 3};
    std::array<MPI_Request, 6> rq{};
    for (std::size_t i = 0; i < sizes.size(); ++i)
        MPI_Isend(big.data() + i, sizes[i], MPI_BYTE, g.right, 1202, MPI_COMM_WORLD, &rq[i]);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        MPI_Recv(in.data(), 1 << 20, MPI_BYTE, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        int count = 0;
        MPI_Get_count(&st, MPI_BYTE, &count);
        d.status("order " + std::to_string(i), st, MPI_BYTE);
        d.data("order " + std::to_string(i), in.data(), static_cast<std::size_t>(count));
        d.check(count == sizes[i], "non-overtaking: message " + std::to_string(i) + " has " +
                                       std::to_string(count) + " bytes, sent " +
                                       std::to_string(sizes[i]));
    }
    MPI_Waitall(6, rq.data(), MPI_STATUSES_IGNORE);
}

void zero_bytes(const ring& g, digest& d) {
    std::array<int, 4> dummy{1, 2, 3, 4};
    std::array<int, 10> in{};
    std::array<MPI_Request, 2> sr{};
    MPI_Status st;
    MPI_Isend(nullptr, 0, MPI_INT, g.right, 1300, MPI_COMM_WORLD, &sr[0]);
    MPI_Isend(dummy.data(), 0, MPI_BYTE, g.right, 1301, MPI_COMM_WORLD, &sr[1]);
    MPI_Recv(in.data(), 10, MPI_INT, MPI_ANY_SOURCE, 1300, MPI_COMM_WORLD, &st);
    d.status("zero into 10", st, MPI_INT);
    MPI_Recv(nullptr, 0, MPI_BYTE, g.left, 1301, MPI_COMM_WORLD, &st);
    d.status("zero into null", st, MPI_BYTE);
    MPI_Waitall(2, sr.data(), MPI_STATUSES_IGNORE);
    auto send = [&] { MPI_Send(dummy.data(), 0, MPI_INT, g.right, 1302, MPI_COMM_WORLD); };
    auto recv = [&] { MPI_Recv(in.data(), 0, MPI_INT, g.left, 1302, MPI_COMM_WORLD, &st); };
    ordered(g, send, recv);
    d.status("zero blocking", st, MPI_INT);
}

void proc_null(const ring& /*g*/, digest& d) {
    std::array<int, 3> out{1, 2, 3};
    std::array<int, 3> in{9, 9, 9};
    MPI_Status st;
    MPI_Send(out.data(), 3, MPI_INT, MPI_PROC_NULL, 1400, MPI_COMM_WORLD);
    MPI_Ssend(out.data(), 3, MPI_INT, MPI_PROC_NULL, 1400, MPI_COMM_WORLD);
    MPI_Rsend(out.data(), 3, MPI_INT, MPI_PROC_NULL, 1400, MPI_COMM_WORLD);
    MPI_Bsend(out.data(), 3, MPI_INT, MPI_PROC_NULL, 1400, MPI_COMM_WORLD);
    MPI_Recv(in.data(), 3, MPI_INT, MPI_PROC_NULL, 1400, MPI_COMM_WORLD, &st);
    d.status("recv proc_null", st, MPI_INT);
    d.check(in[0] == 9, "Recv from PROC_NULL leaves the buffer");
    std::array<MPI_Request, 3> rq{};
    MPI_Isend(out.data(), 3, MPI_INT, MPI_PROC_NULL, 1401, MPI_COMM_WORLD, &rq[0]);
    MPI_Irecv(in.data(), 3, MPI_INT, MPI_PROC_NULL, 1401, MPI_COMM_WORLD, &rq[1]);
    MPI_Send_init(out.data(), 3, MPI_INT, MPI_PROC_NULL, 1402, MPI_COMM_WORLD, &rq[2]);
    MPI_Start(&rq[2]);
    std::array<MPI_Status, 3> sts{};
    MPI_Waitall(3, rq.data(), sts.data());
    d.status("irecv proc_null", sts[1], MPI_INT);
    MPI_Request_free(&rq[2]);
    MPI_Sendrecv(out.data(), 3, MPI_INT, MPI_PROC_NULL, 1403, in.data(), 3, MPI_INT, MPI_PROC_NULL,
                 1403, MPI_COMM_WORLD, &st);
    d.status("sendrecv proc_null", st, MPI_INT);
    MPI_Probe(MPI_PROC_NULL, 1404, MPI_COMM_WORLD, &st);
    d.status("probe proc_null", st, MPI_INT);
    int flag = 0;
    MPI_Iprobe(MPI_PROC_NULL, 1404, MPI_COMM_WORLD, &flag, &st);
    d.value("iprobe proc_null flag", flag);
    d.status("iprobe proc_null", st, MPI_INT);
    MPI_Message msg;
    MPI_Mprobe(MPI_PROC_NULL, 1405, MPI_COMM_WORLD, &msg, &st);
    d.value("mprobe proc_null is NO_PROC", msg == MPI_MESSAGE_NO_PROC ? 1 : 0);
    MPI_Mrecv(in.data(), 3, MPI_INT, &msg, &st);
    d.status("mrecv no_proc", st, MPI_INT);
    MPI_Improbe(MPI_PROC_NULL, 1406, MPI_COMM_WORLD, &flag, &msg, &st);
    d.value("improbe proc_null flag", flag);
    MPI_Request rr;
    MPI_Imrecv(in.data(), 3, MPI_INT, &msg, &rr);
    MPI_Wait(&rr, &st);
    d.status("imrecv no_proc", st, MPI_INT);
}

void communicators(const ring& g, digest& d) {
    MPI_Comm dup;
    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    std::array<long long, 2> out{1000 + g.rank, 2000 + g.rank};
    long long in = 0;
    std::array<MPI_Request, 2> sr{};
    MPI_Status st;
    MPI_Isend(&out[0], 1, MPI_LONG_LONG, g.right, 5, MPI_COMM_WORLD, &sr[0]);
    MPI_Isend(&out[1], 1, MPI_LONG_LONG, g.right, 5, dup, &sr[1]);
    MPI_Message msg;
    MPI_Mprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, dup, &msg, &st);
    MPI_Mrecv(&in, 1, MPI_LONG_LONG, &msg, &st);
    d.status("dup", st, MPI_LONG_LONG);
    d.check(in == 2000 + g.left, "message on the duplicate stays there");
    MPI_Recv(&in, 1, MPI_LONG_LONG, MPI_ANY_SOURCE, 5, MPI_COMM_WORLD, &st);
    d.status("world beside dup", st, MPI_LONG_LONG);
    d.check(in == 1000 + g.left, "message on world stays there");
    MPI_Waitall(2, sr.data(), MPI_STATUSES_IGNORE);

    // Split by parity with reversed keys: ranks in `sub` differ from world ranks.
    MPI_Comm sub;
    MPI_Comm_split(MPI_COMM_WORLD, g.rank % 2, -g.rank, &sub);
    int srank = 0;
    int ssize = 0;
    MPI_Comm_rank(sub, &srank);
    MPI_Comm_size(sub, &ssize);
    const int sright = (srank + 1) % ssize;
    const int sleft = (srank + ssize - 1) % ssize;
    long long sout = 10LL * g.rank;
    MPI_Request rq;
    MPI_Isend(&sout, 1, MPI_LONG_LONG, sright, 6, sub, &rq);
    MPI_Probe(MPI_ANY_SOURCE, 6, sub, &st);
    d.status("split probe", st, MPI_LONG_LONG);
    d.check(st.MPI_SOURCE == sleft, "split: probe source is a rank of the split communicator");
    MPI_Recv(&in, 1, MPI_LONG_LONG, MPI_ANY_SOURCE, MPI_ANY_TAG, sub, &st);
    d.status("split recv", st, MPI_LONG_LONG);
    d.value("split value", in);
    d.check(st.MPI_SOURCE == sleft, "split: status source is a rank of the split communicator");
    MPI_Wait(&rq, MPI_STATUS_IGNORE);
    long long rep = 100LL * g.rank;
    MPI_Sendrecv_replace(&rep, 1, MPI_LONG_LONG, sright, 7, MPI_ANY_SOURCE, 7, sub, &st);
    d.status("split sendrecv_replace", st, MPI_LONG_LONG);
    d.value("split sendrecv_replace value", rep);

    // A periodic 1-D Cartesian communicator: Cart_shift neighbours and Sendrecv.
    MPI_Comm cart;
    const int dims[1] = {g.size};
    const int periods[1] = {1};
    MPI_Cart_create(MPI_COMM_WORLD, 1, dims, periods, 0, &cart);
    int up = 0;
    int down = 0;
    MPI_Cart_shift(cart, 0, 1, &down, &up);
    long long cval = 7LL * g.rank;
    MPI_Sendrecv(&cval, 1, MPI_LONG_LONG, up, 8, &in, 1, MPI_LONG_LONG, MPI_ANY_SOURCE, 8, cart,
                 &st);
    d.status("cart sendrecv", st, MPI_LONG_LONG);
    d.check(st.MPI_SOURCE == down && in == 7LL * down, "cart: source and value");

    // An intercommunicator between the two halves of `sub` (parity groups): remote ranks.
    if (g.size % 2 == 0) {
        MPI_Comm inter;
        const int remote_leader =
            g.rank % 2 == 0 ? g.size - 1 : g.size - 2;  // key -rank: highest first
        MPI_Intercomm_create(sub, 0, MPI_COMM_WORLD, remote_leader, 9, &inter);
        long long ival = 11LL * g.rank;
        MPI_Sendrecv(&ival, 1, MPI_LONG_LONG, srank, 9, &in, 1, MPI_LONG_LONG, MPI_ANY_SOURCE,
                     MPI_ANY_TAG, inter, &st);
        d.status("intercomm sendrecv", st, MPI_LONG_LONG);
        d.value("intercomm value", in);
        d.check(st.MPI_SOURCE == srank, "intercomm: source is the remote group rank");
        MPI_Comm_free(&inter);
    }
    MPI_Comm_free(&cart);
    MPI_Comm_free(&sub);
    MPI_Comm_free(&dup);
}

}  // namespace wrap_test
