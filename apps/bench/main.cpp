// cairn_bench: micro-benchmarks behind docs/benchmarks.md, driven by scripts/bench.sh.
//
//   mpirun -n 4 cairn_bench --mode blocking --mib 256 --reps 5
//
// Every rank owns --mib MiB of touched (pre-faulted) doubles, registered as one distributed
// array. Each repetition prints one line on rank 0, `result <metric> <mib> <rep> <seconds>`, with
// the maximum over ranks; the script takes the medians. Modes:
//   memcpy       memcpy of the state into touched memory
//   blocking     checkpoint_now() (run with CAIRN_MODE=blocking: the stall is the whole write)
//   nonblocking  request_checkpoint(), then compute with a safe point every ~1 ms: the longest
//                safe_point() (the stall at the cut) and the time until epoch() shows the commit;
//                the launch's first checkpoint (staging memory allocated and faulted) is reported
//                separately as nonblocking_first_stall / nonblocking_first_commit; with
//                --warmup S the ranks first compute with safe points for S seconds, as an
//                application does before its first checkpoint (staging_prefault prepares the
//                staging memory meanwhile); before each later checkpoint all ranks memcpy the
//                state into touched memory at once (nonblocking_memcpy: the stall's baseline
//                measured in the same launch)
//   durable      (CAIRN_MODE=nonblocking CAIRN_INTERVAL=steps:10000) time to durable: from the
//                safe point that cuts to the commit (seen in <CAIRN_DIR>/stats.log, which rank 0's
//                I/O thread appends after the commit), the ranks computing meanwhile with no
//                safe point (durable_no_safe_point) or with one every ~1 ms
//                (durable_safe_point_1ms, --safe-point-ms 1); the first repetition of the
//                launch (staging memory allocated) is not reported
//   losttime     (CAIRN_INTERVAL=steps:K, or off for the baseline) a fixed amount of work: --iters
//                iterations of a kernel (--kernel compute: arithmetic on 32 KiB that stays in
//                cache; --kernel memory: triads over three 8 MiB arrays, memory-bandwidth bound),
//                each followed by an 8-byte MPI_Allreduce and a safe point; reports the loop's
//                time (losttime_<kernel>, one repetition per launch), its longest safe point
//                (losttime_stall_<kernel>: one checkpoint's stall) and the number of
//                checkpoints cut in it (losttime_checkpoints). bench.sh compares launches with
//                and without checkpoints: lost time per checkpoint = (T_with - T_without) / n
//   restore      restore() of the newest checkpoint (one repetition per launch)
//   posix        each rank writes its own file with write() and fsync() (naive baseline)
//   h5indep      one shared HDF5 file through the MPI-IO driver, each rank writing its block with
//                an independent transfer, flushed and closed (the naive HDF5 baseline, without
//                cairn: naive_hdf5.cpp); a new file per repetition in --dir, numbered on from
//                earlier launches, the previous two kept, as cairn's checkpoints with
//                CAIRN_KEEP=2 (hdf5_independent)
//   shared       each rank pwrite()s its block into one new shared file at rank x block bytes,
//                then rank 0 fsyncs it; the two previous files stay (the layout and the page-cache
//                demand of a checkpoint with CAIRN_KEEP=2, without HDF5 or MPI-IO); files in
//                --dir, numbered on from earlier launches, the newest two are left in place
//   pingpong     ranks 0 and 1: 8-byte latency and 1 MiB bandwidth (half round trips); also
//                8 and 16 bytes through PMPI_Send/PMPI_Recv (never interposed) in the same
//                launch (latency_8B_pmpi, latency_16B_pmpi): a baseline paired with latency_8B
//   selfsend     every rank sends 8 bytes to itself on MPI_COMM_SELF and receives them
//                (MPI_Send then MPI_Recv), 200000 times: the CPU cost of one message through
//                the wrappers without a peer, a network or scheduling in the way (selfsend_8B,
//                seconds per send + receive pair)
//   incremental  (CAIRN_MODE=blocking CAIRN_INCREMENTAL=on CAIRN_FULL_EVERY=1, so checkpoints
//                alternate full, delta) before each checkpoint --changed percent of the 64 KiB
//                blocks (--block-kib) change; reports incremental_full / incremental_delta
//                (checkpoint_now() time) and *_bytes (file size, as "seconds" column)
// --thread-multiple: MPI is initialised with MPI_THREAD_MULTIPLE for the application (cairn then
// counts messages under a lock; docs/protocol.md, "Counting without a lock").
#include "naive_hdf5.hpp"

#include <mpi.h>
#include <cairn/cairn.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

struct options {
    std::string mode;
    std::uint64_t mib = 4;
    int reps = 5;
    std::string dir = ".";  ///< for mode posix
    int changed = 5;        ///< incremental: percent of blocks changed per checkpoint
    std::uint64_t block_kib = 64;  ///< incremental: block size (must match CAIRN_BLOCK_SIZE)
    double warmup = 0;      ///< nonblocking: seconds of compute before the first checkpoint
    double safe_point_ms = 0;  ///< durable: compute between safe points after the cut (0: none)
    bool thread_multiple = false;  ///< the application asks for MPI_THREAD_MULTIPLE
    std::string kernel = "compute";  ///< losttime: compute or memory
    int iters = 200;                 ///< losttime: iterations of the kernel
};

double now() {
    return MPI_Wtime();
}

/// Max of `v` over ranks, on rank 0.
double max_over_ranks(double v) {
    double out = 0;
    MPI_Reduce(&v, &out, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    return out;
}

void report(int rank, const char* metric, std::uint64_t mib, int rep, double seconds) {
    const double m = max_over_ranks(seconds);
    if (rank == 0)
        std::printf("result %s %llu %d %.9f\n", metric, static_cast<unsigned long long>(mib), rep,
                    m);
    std::fflush(stdout);
}

/// All ranks at once (after a barrier) copy `src` into the touched `dst`; reports the time as
/// `metric`: the baseline of the stall.
void timed_memcpy(int rank, const char* metric, std::uint64_t mib, int rep,
                  std::vector<double>& dst, const std::vector<double>& src) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = now();
    std::memcpy(dst.data(), src.data(), src.size() * sizeof(double));
    report(rank, metric, mib, rep, now() - t0);
}

/// Touched state of `mib` MiB registered as the distributed array "state".
std::vector<double> make_state(std::uint64_t mib, int rank, int nranks, bool do_register) {
    const std::uint64_t n = mib * (1ULL << 20U) / sizeof(double);
    std::vector<double> v(n);
    for (std::uint64_t i = 0; i < n; ++i)
        v[i] = static_cast<double>(i ^ static_cast<std::uint64_t>(rank));
    if (do_register) {
        cairn::array_layout l;
        l.global_shape = {n * static_cast<std::uint64_t>(nranks)};
        l.offset = {n * static_cast<std::uint64_t>(rank)};
        l.extent = {n};
        cairn::register_distributed("state", v.data(), l);
    }
    return v;
}

/// About `ms` milliseconds of work that does not touch the state.
double compute(double ms, std::vector<double>& scratch) {
    const double end = now() + ms * 1e-3;
    double acc = 0;
    while (now() < end) {
        for (auto& x : scratch) {
            x = x * 1.0000001 + 1e-9;
            acc += x;
        }
    }
    return acc;
}

void run_nonblocking(const options& o, int rank, std::vector<double>& state) {
    std::vector<double> scratch(4096, 1.0);
    std::vector<double> copy(state.size(), 1.0);  // touched: the paired memcpy's destination
    double sink = 0;
    const double w0 = now();
    for (int go = o.warmup > 0 ? 1 : 0; go != 0;) {
        sink += compute(1.0, scratch);
        cairn::safe_point();
        go = now() - w0 < o.warmup ? 1 : 0;
        MPI_Bcast(&go, 1, MPI_INT, 0, MPI_COMM_WORLD);  // rank 0's clock decides for all
    }
    // Repetition -1 is the first checkpoint of the launch, reported on its own: it allocates the
    // staging memory and pays its page faults once.
    for (int rep = -1; rep < o.reps; ++rep) {
        // The baseline of the stall, side by side: the same bytes copied by all ranks at once in
        // this launch, just before the checkpoint is requested.
        if (rep >= 0) timed_memcpy(rank, "nonblocking_memcpy", o.mib, rep, copy, state);
        MPI_Barrier(MPI_COMM_WORLD);
        const std::uint64_t e0 = cairn::epoch();
        const double t0 = now();
        if (rank == 0) cairn::request_checkpoint();
        double stall = 0;
        int done = 0;
        while (done == 0) {
            sink += compute(1.0, scratch);
            const double ts = now();
            cairn::safe_point();
            stall = std::max(stall, now() - ts);
            int mine = cairn::epoch() > e0 ? 1 : 0;
            MPI_Allreduce(&mine, &done, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        }
        const double total = now() - t0;
        if (rep < 0) {
            report(rank, "nonblocking_first_stall", o.mib, 0, stall);
            report(rank, "nonblocking_first_commit", o.mib, 0, total);
        } else {
            report(rank, "nonblocking_stall", o.mib, rep, stall);
            report(rank, "nonblocking_commit", o.mib, rep, total);
        }
    }
    if (sink == -1.0) std::puts("");  // keep the work
}

/// Commits listed in <CAIRN_DIR>/stats.log (one line each, appended after the commit).
int committed_lines() {
    const char* d = std::getenv("CAIRN_DIR");
    std::ifstream in(std::string(d == nullptr ? "." : d) + "/stats.log");
    std::string line;
    int n = 0;
    while (std::getline(in, line)) n += line.rfind("epoch=", 0) == 0 ? 1 : 0;
    return n;
}

void run_durable(const options& o, int rank) {
    constexpr std::uint64_t every = 10000;  // CAIRN_INTERVAL=steps:10000 (bench.sh)
    std::vector<double> scratch(4096, 1.0);
    double sink = 0;
    for (int rep = -1; rep < o.reps; ++rep) {
        while ((cairn::safe_point_index() + 1) % every != 0) cairn::safe_point();
        MPI_Barrier(MPI_COMM_WORLD);
        const int before = committed_lines();
        cairn::safe_point();  // the cut
        const double t_cut = now();
        // Compute; look at the file about every millisecond (a file read, no MPI, no cairn).
        double t = -1;
        if (o.safe_point_ms <= 0) {
            while (committed_lines() <= before) {
                sink += compute(1.0, scratch);
                if (now() - t_cut > 600) throw cairn::error("durable: no commit within 600 s");
            }
            t = now() - t_cut;
        } else {
            // Every rank must pass the same safe points: the loop ends when every rank has seen
            // the commit (each keeps the time it first saw it).
            for (int all = 0; all == 0;) {
                sink += compute(o.safe_point_ms, scratch);
                cairn::safe_point();
                if (t < 0 && committed_lines() > before) t = now() - t_cut;
                int mine = t < 0 ? 0 : 1;
                MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
                if (now() - t_cut > 600) throw cairn::error("durable: no commit within 600 s");
            }
        }
        if (rep >= 0) {
            report(rank, o.safe_point_ms > 0 ? "durable_safe_point_1ms" : "durable_no_safe_point",
                   o.mib, rep, t);
        }
    }
    if (sink == -1.0) std::puts("");  // keep the work
}

/// One iteration's fixed work of the losttime mode (about 20 ms on the development machine).
double kernel_step(const std::string& kernel, std::vector<double>& a, std::vector<double>& b,
                   std::vector<double>& c) {
    double acc = 0;
    if (kernel == "compute") {
        // Dependent arithmetic on 4096 doubles (32 KiB, in L1/L2): compute bound.
        for (int pass = 0; pass < 5000; ++pass) {
            for (std::size_t i = 0; i < 4096; ++i) {
                a[i] = a[i] * 1.0000001 + 1e-9;
                acc += a[i];
            }
        }
    } else {
        // STREAM triads over three 8 MiB arrays: memory-bandwidth bound.
        for (int sweep = 0; sweep < 20; ++sweep) {
            const double s = 1.0 + 1e-9 * sweep;
            for (std::size_t i = 0; i < a.size(); ++i) a[i] = b[i] + s * c[i];
            acc += a[static_cast<std::size_t>(sweep) * 997];
        }
    }
    return acc;
}

void run_losttime(const options& o, int rank) {
    if (o.kernel != "compute" && o.kernel != "memory") {
        throw cairn::error("--kernel must be compute or memory, not '" + o.kernel + "'");
    }
    const std::size_t n = (8U << 20U) / sizeof(double);
    std::vector<double> a(n, 1.0);
    std::vector<double> b(n, 2.0);
    std::vector<double> c(n, 3.0);
    double sink = 0;
    // A few iterations first (page faults, caches), with safe points like the timed ones.
    for (int i = 0; i < 5; ++i) {
        sink += kernel_step(o.kernel, a, b, c);
        cairn::safe_point();
    }
    MPI_Barrier(MPI_COMM_WORLD);
    const std::uint64_t sp0 = cairn::safe_point_index();
    double stall = 0;  // the longest safe point: the stall of one checkpoint
    const double t0 = now();
    for (int i = 0; i < o.iters; ++i) {
        double v = kernel_step(o.kernel, a, b, c);
        double sum = 0;
        MPI_Allreduce(&v, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        sink += sum;
        const double ts = now();
        cairn::safe_point();
        stall = std::max(stall, now() - ts);
    }
    const double t = now() - t0;
    // Checkpoints cut in the loop: safe points whose index is a multiple of the interval.
    const char* iv = std::getenv("CAIRN_INTERVAL");
    std::uint64_t every = 0;
    if (iv != nullptr && std::strncmp(iv, "steps:", 6) == 0) every = std::strtoull(iv + 6, nullptr, 10);
    std::uint64_t cuts = 0;
    for (std::uint64_t k = sp0 + 1; every > 0 && k <= sp0 + static_cast<std::uint64_t>(o.iters); ++k) {
        cuts += k % every == 0 ? 1 : 0;
    }
    report(rank, ("losttime_" + o.kernel).c_str(), o.mib, 0, t);
    report(rank, ("losttime_stall_" + o.kernel).c_str(), o.mib, 0, stall);
    if (rank == 0) std::printf("result losttime_checkpoints %llu 0 %llu\n",
                               static_cast<unsigned long long>(o.mib),
                               static_cast<unsigned long long>(cuts));
    std::fflush(stdout);
    if (sink == -1.0) std::puts("");  // keep the work
}

void run_posix(const options& o, int rank, const std::vector<double>& state) {
    const std::string path = o.dir + "/posix." + std::to_string(rank) + ".bin";
    const auto bytes = state.size() * sizeof(double);
    for (int rep = 0; rep < o.reps; ++rep) {
        MPI_Barrier(MPI_COMM_WORLD);
        const double t0 = now();
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) throw cairn::error("cannot create " + path + ": " + std::strerror(errno));
        const auto* p = reinterpret_cast<const char*>(state.data());
        std::size_t done = 0;
        while (done < bytes) {
            const ssize_t w = ::write(fd, p + done, bytes - done);
            if (w < 0) throw cairn::error("write " + path + ": " + std::strerror(errno));
            done += static_cast<std::size_t>(w);
        }
        if (::fsync(fd) != 0) throw cairn::error("fsync " + path + ": " + std::strerror(errno));
        ::close(fd);
        report(rank, "posix_write", o.mib, rep, now() - t0);
    }
    ::unlink(path.c_str());
}

/// Rank 0 finds the first number after those of the files `<dir>/<prefix>.<N>.<ext>` left by
/// earlier launches (0 if none); every rank returns it.
int next_file_number(const std::string& dir, const std::string& prefix, int rank) {
    int first = 0;
    if (rank == 0) {
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
            const std::string f = e.path().filename().string();
            if (f.rfind(prefix + ".", 0) == 0) {
                first = std::max(first, std::atoi(f.c_str() + prefix.size() + 1) + 1);
            }
        }
    }
    MPI_Bcast(&first, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return first;
}

void run_h5indep(const options& o, int rank, int nranks, const std::vector<double>& state) {
    const unsigned long long n = state.size();
    auto name = [&](int k) { return o.dir + "/naive." + std::to_string(k) + ".h5"; };
    const int first = next_file_number(o.dir, "naive", rank);
    for (int rep = 0; rep < o.reps; ++rep) {
        MPI_Barrier(MPI_COMM_WORLD);
        const double t0 = now();
        bench::write_shared_hdf5(name(first + rep), MPI_COMM_WORLD, state.data(), n,
                                 n * static_cast<unsigned long long>(rank),
                                 n * static_cast<unsigned long long>(nranks));
        report(rank, "hdf5_independent", o.mib, rep, now() - t0);
        if (rank == 0 && first + rep >= 2) ::unlink(name(first + rep - 2).c_str());
    }
}

void run_shared(const options& o, int rank, const std::vector<double>& state) {
    const auto bytes = state.size() * sizeof(double);
    auto name = [&](int n) { return o.dir + "/shared." + std::to_string(n) + ".bin"; };
    const int first = next_file_number(o.dir, "shared", rank);  // after earlier launches' files
    for (int rep = 0; rep < o.reps; ++rep) {
        const std::string path = name(first + rep);
        MPI_Barrier(MPI_COMM_WORLD);
        const double t0 = now();
        if (rank == 0) {
            const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0) throw cairn::error("cannot create " + path + ": " + std::strerror(errno));
            ::close(fd);
        }
        MPI_Barrier(MPI_COMM_WORLD);
        const int fd = ::open(path.c_str(), O_WRONLY);
        if (fd < 0) throw cairn::error("cannot open " + path + ": " + std::strerror(errno));
        const auto* p = reinterpret_cast<const char*>(state.data());
        const auto base = static_cast<off_t>(bytes) * rank;
        std::size_t done = 0;
        while (done < bytes) {
            const std::size_t n = std::min<std::size_t>(bytes - done, std::size_t{16} << 20U);
            const ssize_t w = ::pwrite(fd, p + done, n, base + static_cast<off_t>(done));
            if (w < 0) throw cairn::error("pwrite " + path + ": " + std::strerror(errno));
            done += static_cast<std::size_t>(w);
        }
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank == 0 && ::fsync(fd) != 0) {
            throw cairn::error("fsync " + path + ": " + std::strerror(errno));
        }
        ::close(fd);
        MPI_Barrier(MPI_COMM_WORLD);
        report(rank, "shared_pwrite", o.mib, rep, now() - t0);
        if (rank == 0 && first + rep >= 2) ::unlink(name(first + rep - 2).c_str());
    }
}

void run_pingpong(const options& o, int rank) {
    constexpr int reports_per_rep = 4;
    if (rank > 1) {
        for (int i = 0; i < reports_per_rep * o.reps; ++i) max_over_ranks(0);  // match rank 0
        return;
    }
    const int peer = 1 - rank;
    using send_fn = int (*)(const void*, int, MPI_Datatype, int, int, MPI_Comm);
    using recv_fn = int (*)(void*, int, MPI_Datatype, int, int, MPI_Comm, MPI_Status*);
    auto half_round_trip = [&](std::size_t bytes, int iters, send_fn send, recv_fn recv) {
        std::vector<char> buf(bytes, 'x');
        const int n = static_cast<int>(bytes);
        MPI_Barrier(MPI_COMM_WORLD);
        const double t0 = now();
        for (int i = 0; i < iters; ++i) {
            if (rank == 0) {
                send(buf.data(), n, MPI_CHAR, peer, 1, MPI_COMM_WORLD);
                recv(buf.data(), n, MPI_CHAR, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else {
                recv(buf.data(), n, MPI_CHAR, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                send(buf.data(), n, MPI_CHAR, peer, 1, MPI_COMM_WORLD);
            }
        }
        return (now() - t0) / (2.0 * iters);
    };
    (void)half_round_trip(8, 200, MPI_Send, MPI_Recv);  // warm-up
    (void)half_round_trip(8, 200, PMPI_Send, PMPI_Recv);
    (void)half_round_trip(1U << 20U, 10, MPI_Send, MPI_Recv);
    for (int rep = 0; rep < o.reps; ++rep) {
        report(rank, "latency_8B", 0, rep, half_round_trip(8, 2000, MPI_Send, MPI_Recv));
        // The same through PMPI (never interposed) in the same launch: Open MPI's own latency for
        // 8 bytes, and for 16, the size of an interposed 8-byte message on the wire.
        report(rank, "latency_8B_pmpi", 0, rep, half_round_trip(8, 2000, PMPI_Send, PMPI_Recv));
        report(rank, "latency_16B_pmpi", 0, rep, half_round_trip(16, 2000, PMPI_Send, PMPI_Recv));
        report(rank, "time_1MiB", 0, rep, half_round_trip(1U << 20U, 100, MPI_Send, MPI_Recv));
    }
}

void run_selfsend(const options& o, int rank) {
    (void)rank;
    const int iters = 200000;
    char out[8] = {'p', 'i', 'n', 'g', 0, 0, 0, 0};
    char in[8] = {};
    auto loop = [&](int n) {
        const double t0 = now();
        for (int i = 0; i < n; ++i) {
            MPI_Send(out, 8, MPI_CHAR, 0, 7, MPI_COMM_SELF);
            MPI_Recv(in, 8, MPI_CHAR, 0, 7, MPI_COMM_SELF, MPI_STATUS_IGNORE);
        }
        return (now() - t0) / n;
    };
    (void)loop(iters / 10);  // warm-up
    for (int rep = 0; rep < o.reps; ++rep) {
        MPI_Barrier(MPI_COMM_WORLD);
        report(rank, "selfsend_8B", 0, rep, loop(iters));
    }
    if (std::memcmp(in, out, sizeof in) != 0) throw cairn::error("selfsend: wrong data received");
}

/// Size of the newest checkpoint file (rank 0; 0 elsewhere).
double newest_file_bytes(int rank) {
    if (rank != 0) return 0;
    const char* d = std::getenv("CAIRN_DIR");
    char name[64];
    std::snprintf(name, sizeof name, "/ckpt.%06llu.h5",
                  static_cast<unsigned long long>(cairn::epoch()));
    std::error_code ec;
    const auto n = std::filesystem::file_size(std::string(d == nullptr ? "." : d) + name, ec);
    return ec ? -1.0 : static_cast<double>(n);
}

void run_incremental(const options& o, int rank, std::vector<double>& state) {
    const std::size_t per_block = o.block_kib * 1024 / sizeof(double);
    const std::size_t nblocks = (state.size() + per_block - 1) / per_block;
    const std::size_t stride = o.changed > 0 ? static_cast<std::size_t>(100 / o.changed) : 0;
    std::uint64_t round = 0;
    auto change = [&] {  // exactly one block in `stride` changes, a different phase each time
        ++round;
        if (stride == 0) return;
        for (std::size_t b = (round * 7) % stride; b < nblocks; b += stride) {
            state[b * per_block] += 1.0;
        }
    };
    for (int rep = 0; rep < o.reps; ++rep) {
        for (const char* kind : {"incremental_full", "incremental_delta"}) {
            change();
            MPI_Barrier(MPI_COMM_WORLD);
            const double t0 = now();
            cairn::checkpoint_now();
            report(rank, kind, o.mib, rep, now() - t0);
            const std::string metric = std::string(kind) + "_bytes";
            report(rank, metric.c_str(), o.mib, rep, newest_file_bytes(rank));
        }
    }
}

int run(const options& o) {
    int rank = 0;
    int nranks = 0;
    cairn::init_options init;
    init.app_name = "cairn_bench";
    init.run_key = "";  // `--mode restore` reads what another mode's launch wrote
    if (o.thread_multiple) init.thread_level = MPI_THREAD_MULTIPLE;
    cairn::init(nullptr, nullptr, init);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    const bool uses_cairn = o.mode == "blocking" || o.mode == "nonblocking" ||
                            o.mode == "durable" || o.mode == "restore" ||
                            o.mode == "incremental" || o.mode == "losttime";
    std::vector<double> state = o.mode == "pingpong" || o.mode == "selfsend"
                                    ? std::vector<double>{}
                                    : make_state(o.mib, rank, nranks, uses_cairn);

    if (o.mode == "memcpy") {
        std::vector<double> dst(state.size(), 1.0);  // touched
        for (int rep = 0; rep < o.reps; ++rep) timed_memcpy(rank, "memcpy", o.mib, rep, dst, state);
    } else if (o.mode == "blocking") {
        for (int rep = 0; rep < o.reps; ++rep) {
            MPI_Barrier(MPI_COMM_WORLD);
            const double t0 = now();
            cairn::checkpoint_now();
            report(rank, "blocking_checkpoint", o.mib, rep, now() - t0);
        }
    } else if (o.mode == "nonblocking") {
        run_nonblocking(o, rank, state);
    } else if (o.mode == "durable") {
        run_durable(o, rank);
    } else if (o.mode == "losttime") {
        run_losttime(o, rank);
    } else if (o.mode == "restore") {
        std::fill(state.begin(), state.end(), 0.0);
        MPI_Barrier(MPI_COMM_WORLD);
        const double t0 = now();
        const bool ok = cairn::restore();
        report(rank, "restore", o.mib, 0, now() - t0);
        if (!ok || state[1] != static_cast<double>(1U ^ static_cast<unsigned>(rank))) {
            throw cairn::error("restore did not load the benchmark state");
        }
    } else if (o.mode == "posix") {
        run_posix(o, rank, state);
    } else if (o.mode == "incremental") {
        run_incremental(o, rank, state);
    } else if (o.mode == "shared") {
        run_shared(o, rank, state);
    } else if (o.mode == "h5indep") {
        run_h5indep(o, rank, nranks, state);
    } else if (o.mode == "pingpong") {
        run_pingpong(o, rank);
    } else if (o.mode == "selfsend") {
        run_selfsend(o, rank);
    } else {
        throw cairn::error("unknown --mode '" + o.mode + "'");
    }
    cairn::finalize();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    bool help = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            help = true;
            break;
        }
        if (a == "--thread-multiple") {
            o.thread_multiple = true;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "cairn_bench: %s needs a value\n", a.c_str());
            return 2;
        }
        const std::string v = argv[++i];
        if (a == "--mode")
            o.mode = v;
        else if (a == "--mib")
            o.mib = std::strtoull(v.c_str(), nullptr, 10);
        else if (a == "--reps")
            o.reps = std::atoi(v.c_str());
        else if (a == "--dir")
            o.dir = v;
        else if (a == "--changed")
            o.changed = std::atoi(v.c_str());
        else if (a == "--block-kib")
            o.block_kib = std::strtoull(v.c_str(), nullptr, 10);
        else if (a == "--warmup")
            o.warmup = std::strtod(v.c_str(), nullptr);
        else if (a == "--safe-point-ms")
            o.safe_point_ms = std::strtod(v.c_str(), nullptr);
        else if (a == "--kernel")
            o.kernel = v;
        else if (a == "--iters")
            o.iters = std::atoi(v.c_str());
        else {
            std::fprintf(stderr, "cairn_bench: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    if (help || o.mode.empty() || o.mib == 0 || o.reps < 1 || o.changed < 0 || o.changed > 100 ||
        o.block_kib == 0 || !(o.warmup >= 0) || o.iters < 1) {
        std::fprintf(help ? stdout : stderr,
                     "usage: cairn_bench --mode memcpy|blocking|nonblocking|durable|losttime|restore|posix|"
                     "h5indep|shared|pingpong|selfsend|incremental [--mib N] [--reps N] [--dir D] "
                     "[--changed PCT] [--block-kib K] [--warmup SECONDS] [--safe-point-ms MS] "
                     "[--kernel compute|memory] [--iters N] [--thread-multiple]\n"
                     "(run under mpiexec; the modes are described at the top of "
                     "apps/bench/main.cpp and in docs/benchmarks.md)\n");
        return help ? 0 : 2;
    }
    try {
        return run(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cairn_bench: %s\n", e.what());
        MPI_Abort(MPI_COMM_WORLD, 1);
        return 1;
    }
}
