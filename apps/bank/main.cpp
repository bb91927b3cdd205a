// bank: the correctness oracle of cairn's non-blocking snapshot.
//
//   mpirun -n 4 bank --steps 200 --checkpoint-every 5
//
// Each step every rank sends every peer a random amount (zero half of the time, never more than
// it has) with MPI_Isend and receives, with MPI_ANY_SOURCE, the transfers sent `delay` steps
// earlier, so transfers are in flight at every safe point. In every checkpoint, the balances
// plus the amounts in the channel logs must equal the initial total exactly (bank_check).
// The outcome is deterministic given the seed: each step receives a known number of transfers
// and adds them up, whatever order they arrive in.
#include "bank.hpp"

#include <mpi.h>
#include <cairn/cairn.hpp>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <thread>
#include <vector>

namespace {

/// The registered state of one rank.
struct account {
    std::int64_t balance = 0;
    bank::rng random;
    std::uint64_t step = 0;
    std::vector<std::uint64_t> sent_to;    ///< transfers sent to each rank
    std::vector<std::uint64_t> recv_from;  ///< transfers received from each rank
    std::uint64_t bad_status = 0;          ///< receives whose status was wrong (not saved)
};

/// Receives the nranks-1 transfers sent in step `sent_step`, by one of three methods.
void receive_step(account& a, int nranks, std::uint64_t sent_step, std::uint64_t now) {
    const int tag = bank::transfer_tag(sent_step);
    const int n = nranks - 1;
    std::vector<std::int64_t> amounts(static_cast<std::size_t>(n));
    std::vector<MPI_Status> sts(static_cast<std::size_t>(n));
    // Four ways to receive, one per step in turn, so any two consecutive steps (the replay after
    // a restart) include receives posted with MPI_Irecv. None is pending across a safe point.
    std::vector<MPI_Request> rq(static_cast<std::size_t>(n));
    switch (now % 4) {
        case 0:
        case 2:
            for (int i = 0; i < n; ++i) {
                MPI_Irecv(&amounts[i], 1, MPI_INT64_T, MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &rq[i]);
            }
            if (now % 4 == 0) {
                MPI_Waitall(n, rq.data(), sts.data());
            } else {
                for (int k = 0; k < n; ++k) {
                    int idx = MPI_UNDEFINED;
                    MPI_Status st;
                    MPI_Waitany(n, rq.data(), &idx, &st);
                    if (idx != MPI_UNDEFINED) sts[static_cast<std::size_t>(idx)] = st;
                }
            }
            break;
        case 1:  // probe, then receive what was probed
            for (int i = 0; i < n; ++i) {
                int flag = 0;
                while (flag == 0) MPI_Iprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &flag, &sts[i]);
                MPI_Recv(&amounts[i], 1, MPI_INT64_T, sts[i].MPI_SOURCE, tag, MPI_COMM_WORLD,
                         &sts[i]);
            }
            break;
        default:
            for (int i = 0; i < n; ++i) {
                MPI_Recv(&amounts[i], 1, MPI_INT64_T, MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &sts[i]);
            }
    }
    for (int i = 0; i < n; ++i) {
        a.balance += amounts[i];
        const int src = sts[i].MPI_SOURCE;
        if (src < 0 || src >= nranks || sts[i].MPI_TAG != tag) {
            // The status must be exactly what plain MPI gives; count the receive as unattributed.
            std::fprintf(stderr,
                         "bank: step %" PRIu64 ": receive %d of step %" PRIu64
                         " returned status source %d tag %d (expected a rank and tag %d)\n",
                         now, i, sent_step, src, sts[i].MPI_TAG, tag);
            ++a.bad_status;
            continue;
        }
        ++a.recv_from[static_cast<std::size_t>(src)];
    }
}

/// Sends this step's transfers; the requests complete before the step's safe point.
void send_step(account& a, int rank, int nranks, std::vector<std::int64_t>& amounts) {
    const std::int64_t share = a.balance / nranks;
    std::vector<MPI_Request> rq;
    for (int peer = 0; peer < nranks; ++peer) {
        if (peer == rank) continue;
        const std::uint64_t r = a.random.next();
        const std::int64_t amount =
            (r & 1U) != 0
                ? static_cast<std::int64_t>((r >> 1U) % static_cast<std::uint64_t>(share + 1))
                : 0;
        a.balance -= amount;
        amounts[static_cast<std::size_t>(peer)] = amount;
        rq.emplace_back();
        MPI_Isend(&amounts[static_cast<std::size_t>(peer)], 1, MPI_INT64_T, peer,
                  bank::transfer_tag(a.step), MPI_COMM_WORLD, &rq.back());
        ++a.sent_to[static_cast<std::size_t>(peer)];
    }
    // The transfers themselves stay in flight: these small sends complete locally.
    MPI_Waitall(static_cast<int>(rq.size()), rq.data(), MPI_STATUSES_IGNORE);
}

void write_uncoordinated(const std::string& prefix, int rank, const account& a) {
    std::ofstream f(prefix + "." + std::to_string(rank) + ".txt", std::ios::trunc);
    f << "rank " << rank << " step " << a.step << " balance " << a.balance << "\nsent_to";
    for (auto v : a.sent_to) f << ' ' << v;
    f << "\nrecv_from";
    for (auto v : a.recv_from) f << ' ' << v;
    f << '\n';
}

int run(const bank::options& opt) {
    cairn::init_options init;
    init.app_name = "bank";
    // The run is defined by the initial balances and the random streams; the step count, the
    // sleep and the checkpoint cadence may change between restarts.
    init.run_key = "initial=" + std::to_string(opt.initial) + " seed=" + std::to_string(opt.seed) +
                   " delay=" + std::to_string(opt.delay);
    if (opt.thread_multiple) init.thread_level = MPI_THREAD_MULTIPLE;
    cairn::init(nullptr, nullptr, init);
    int rank = 0;
    int nranks = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    if (nranks < 2) throw cairn::error("bank needs at least 2 ranks");

    account a;
    a.balance = opt.initial;
    a.random.seed(opt.seed * 1000003ULL + static_cast<std::uint64_t>(rank));
    a.sent_to.assign(static_cast<std::size_t>(nranks), 0);
    a.recv_from.assign(static_cast<std::size_t>(nranks), 0);
    cairn::register_scalar("balance", a.balance);
    cairn::register_buffer("rng", a.random.s.data(), a.random.s.size());
    cairn::register_scalar("step", a.step);
    cairn::register_buffer("sent_to", a.sent_to.data(), a.sent_to.size());
    cairn::register_buffer("recv_from", a.recv_from.data(), a.recv_from.size());
    if (cairn::restore() && rank == 0) {
        std::printf("bank: restarted from epoch %" PRIu64 " at step %" PRIu64 "\n", cairn::epoch(),
                    a.step);
    }
    std::fflush(stdout);

    const std::uint64_t uncoordinated_step = 50 + 3 * static_cast<std::uint64_t>(rank);
    std::vector<std::int64_t> amounts(static_cast<std::size_t>(nranks));
    bool stopped = false;
    while (a.step < opt.steps) {
        if (a.step >= opt.delay) receive_step(a, nranks, a.step - opt.delay, a.step);
        send_step(a, rank, nranks, amounts);
        ++a.step;
        if (!opt.uncoordinated.empty() && a.step == uncoordinated_step) {
            write_uncoordinated(opt.uncoordinated, rank, a);
        }
        if (opt.sleep_us != 0) std::this_thread::sleep_for(std::chrono::microseconds(opt.sleep_us));
        cairn::safe_point();
        if (cairn::exit_requested()) {
            stopped = a.step < opt.steps;
            break;
        }
    }
    if (stopped) {
        if (rank == 0) {
            std::printf("bank: checkpointed at step %" PRIu64 " and stopping on request\n", a.step);
        }
        cairn::finalize();
        return 0;
    }
    // Drain: the transfers of the last `delay` steps.
    const std::uint64_t first = opt.steps > opt.delay ? opt.steps - opt.delay : 0;
    for (std::uint64_t s = first; s < opt.steps; ++s) receive_step(a, nranks, s, s + opt.delay);

    std::uint64_t mine[3] = {0, 0, a.bad_status};
    for (int r = 0; r < nranks; ++r) {
        mine[0] += a.sent_to[static_cast<std::size_t>(r)];
        mine[1] += a.recv_from[static_cast<std::size_t>(r)];
    }
    std::uint64_t all[3] = {0, 0, 0};
    MPI_Allreduce(mine, all, 3, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    std::int64_t total = 0;
    MPI_Reduce(&a.balance, &total, 1, MPI_INT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    std::vector<std::int64_t> balances(static_cast<std::size_t>(nranks));
    MPI_Gather(&a.balance, 1, MPI_INT64_T, balances.data(), 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
    int leftover = 0;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &leftover, MPI_STATUS_IGNORE);
    if (leftover != 0) std::fprintf(stderr, "bank: rank %d has an unreceived message\n", rank);
    if (rank == 0) {
        std::printf("bank: sent %" PRIu64 " received %" PRIu64 " bad statuses %" PRIu64 "\n",
                    all[0], all[1], all[2]);
        std::printf("bank: balances");
        for (auto b : balances) std::printf(" %" PRId64, b);
        std::printf("\nbank: total %" PRId64 " steps %" PRIu64 "\n", total, a.step);
    }
    cairn::finalize();
    const bool ok = all[0] == all[1] && all[2] == 0 && leftover == 0 &&
                    (rank != 0 || total == opt.initial * static_cast<std::int64_t>(nranks));
    return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    bank::options opt;
    try {
        opt = bank::parse_options(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bank: %s\n", e.what());
        return 2;
    }
    if (opt.help) {
        std::fputs(bank::usage(argv[0]).c_str(), stdout);
        return 0;
    }
    if (opt.checkpoint_every != 0) {
        setenv("CAIRN_INTERVAL", ("steps:" + std::to_string(opt.checkpoint_every)).c_str(), 0);
    }
    try {
        return run(opt);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bank: %s\n", e.what());
        MPI_Abort(MPI_COMM_WORLD, 1);
        return 1;
    }
}
