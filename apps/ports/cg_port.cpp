// cg_port: a conjugate-gradient solver ported to cairn (docs/porting.md walks through it).
//
//   mpirun -n 4 cg_port --n 20000 --iters 300
//
// The matrix is generated: row i has 4.01 on the diagonal and -1 at columns i±1 and i±s (modulo n,
// s = n/3 + 1), so it is symmetric, diagonally dominant, and couples far rows owned by other
// ranks. Before iterating, each rank finds out which entries of x it needs from which owner and
// tells the owners: a setup phase that itself communicates (an MPI_Alltoall of counts, then
// receives from MPI_ANY_SOURCE), after which the lengths of the send lists are known.
//
// The port, marked "cairn:" below: init, register what the loop carries (x, r, p, rho, the
// iteration), restore() after the setup, safe_point() at the end of each iteration, finalize.
// The matrix, the exchange plan and the ghost values are rebuilt, not registered.
#include <mpi.h>
#include <cairn/cairn.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <chrono>
#include <vector>

namespace {

struct options {
    std::int64_t n = 20000;
    std::int64_t iters = 300;
    int sleep_ms = 0;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "cg_port: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--n") o.n = std::atoll(next());
        else if (a == "--iters") o.iters = std::atoll(next());
        else if (a == "--sleep-ms") o.sleep_ms = std::atoi(next());
        else if (a == "--help" || a == "-h") {
            std::printf("usage: cg_port [--n N] [--iters K] [--sleep-ms MS]\n"
                        "CG on a generated sparse SPD matrix of order N, K iterations; prints the\n"
                        "final residual and a checksum of x with %%.17g.\n");
            std::exit(0);
        } else {
            std::fprintf(stderr, "cg_port: unknown argument %s\n", a.c_str());
            std::exit(2);
        }
    }
    return o;
}

// Block row distribution of n rows over p ranks.
struct blocks {
    std::int64_t n;
    int p;
    std::int64_t begin(int r) const { return n * r / p; }
    int owner(std::int64_t i) const {
        int r = static_cast<int>(i * p / n);
        while (begin(r + 1) <= i) ++r;
        while (begin(r) > i) --r;
        return r;
    }
};

// The distributed sparse matrix and its ghost exchange plan (built by setup(), not registered).
class matrix {
public:
    matrix(MPI_Comm comm, std::int64_t n) : comm_(comm), n_(n) {
        MPI_Comm_rank(comm, &rank_);
        MPI_Comm_size(comm, &size_);
        const blocks b{n, size_};
        lo_ = b.begin(rank_);
        hi_ = b.begin(rank_ + 1);
        const std::int64_t s = n / 3 + 1;
        for (std::int64_t i = lo_; i < hi_; ++i) {
            for (std::int64_t j : {i - 1, i + 1, i + s, i - s}) cols_.push_back(((j % n) + n) % n);
        }
    }
    std::int64_t local_rows() const { return hi_ - lo_; }

    // Setup: which remote x entries each rank needs, told to their owners. The owners do not know
    // who will ask, so they receive from MPI_ANY_SOURCE (after an all-to-all of counts).
    void setup() {
        const blocks b{n_, size_};
        std::map<int, std::vector<std::int64_t>> need;  // owner -> global indices
        for (std::int64_t c : cols_) {
            if (c >= lo_ && c < hi_) continue;
            auto& v = need[b.owner(c)];
            if (std::find(v.begin(), v.end(), c) == v.end()) v.push_back(c);
        }
        std::vector<int> asks(static_cast<std::size_t>(size_), 0);
        std::vector<int> asked(static_cast<std::size_t>(size_), 0);
        for (auto& [owner, idx] : need) {
            std::sort(idx.begin(), idx.end());
            asks[static_cast<std::size_t>(owner)] = 1;
        }
        MPI_Alltoall(asks.data(), 1, MPI_INT, asked.data(), 1, MPI_INT, comm_);
        const int requests = static_cast<int>(std::count(asked.begin(), asked.end(), 1));
        std::vector<MPI_Request> reqs;
        for (auto& [owner, idx] : need) {
            reqs.emplace_back();
            MPI_Isend(idx.data(), static_cast<int>(idx.size()), MPI_INT64_T, owner, 7, comm_,
                      &reqs.back());
            recv_from_.push_back({owner, idx});
        }
        for (int k = 0; k < requests; ++k) {
            MPI_Status st;
            MPI_Probe(MPI_ANY_SOURCE, 7, comm_, &st);
            int count = 0;
            MPI_Get_count(&st, MPI_INT64_T, &count);
            std::vector<std::int64_t> idx(static_cast<std::size_t>(count));
            MPI_Recv(idx.data(), count, MPI_INT64_T, st.MPI_SOURCE, 7, comm_, MPI_STATUS_IGNORE);
            send_to_.push_back({st.MPI_SOURCE, idx});
        }
        MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE);
        // Deterministic order whatever order the requests arrived in.
        std::sort(send_to_.begin(), send_to_.end(),
                  [](const peer& a, const peer& b2) { return a.rank < b2.rank; });
        for (const auto& pr : recv_from_) {
            for (std::int64_t g : pr.idx) ghost_[g] = 0.0;
        }
    }

    // y = A x (x: this rank's rows; exchanges the ghost entries first).
    void apply(const std::vector<double>& x, std::vector<double>& y) {
        std::vector<std::vector<double>> out(send_to_.size());
        std::vector<std::vector<double>> in(recv_from_.size());
        std::vector<MPI_Request> reqs;
        for (std::size_t k = 0; k < recv_from_.size(); ++k) {
            in[k].resize(recv_from_[k].idx.size());
            reqs.emplace_back();
            MPI_Irecv(in[k].data(), static_cast<int>(in[k].size()), MPI_DOUBLE,
                      recv_from_[k].rank, 8, comm_, &reqs.back());
        }
        for (std::size_t k = 0; k < send_to_.size(); ++k) {
            for (std::int64_t g : send_to_[k].idx) out[k].push_back(x[static_cast<std::size_t>(g - lo_)]);
            reqs.emplace_back();
            MPI_Isend(out[k].data(), static_cast<int>(out[k].size()), MPI_DOUBLE, send_to_[k].rank,
                      8, comm_, &reqs.back());
        }
        MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE);
        for (std::size_t k = 0; k < recv_from_.size(); ++k) {
            for (std::size_t j = 0; j < in[k].size(); ++j) ghost_[recv_from_[k].idx[j]] = in[k][j];
        }
        for (std::int64_t i = lo_; i < hi_; ++i) {
            double sum = 4.01 * x[static_cast<std::size_t>(i - lo_)];
            for (int k = 0; k < 4; ++k) {
                const std::int64_t c = cols_[static_cast<std::size_t>((i - lo_) * 4 + k)];
                sum -= (c >= lo_ && c < hi_) ? x[static_cast<std::size_t>(c - lo_)] : ghost_[c];
            }
            y[static_cast<std::size_t>(i - lo_)] = sum;
        }
    }

    std::int64_t first_row() const { return lo_; }

private:
    struct peer {
        int rank;
        std::vector<std::int64_t> idx;
    };
    MPI_Comm comm_;
    std::int64_t n_;
    int rank_ = 0;
    int size_ = 1;
    std::int64_t lo_ = 0;
    std::int64_t hi_ = 0;
    std::vector<std::int64_t> cols_;
    std::vector<peer> send_to_;    // ranks that need some of my entries, and which
    std::vector<peer> recv_from_;  // owners of the entries I need, and which
    std::map<std::int64_t, double> ghost_;
};

double dot(const std::vector<double>& a, const std::vector<double>& b, MPI_Comm comm) {
    double local = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) local += a[i] * b[i];
    double global = 0.0;
    MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_SUM, comm);
    return global;
}

int run(const options& o) {
    cairn::init_options init;
    init.app_name = "cg_port";
    // The run is the matrix; --iters may grow on a restart, --sleep-ms is a test knob.
    init.run_key = "n=" + std::to_string(o.n);
    cairn::init(nullptr, nullptr, init);  // cairn: instead of MPI_Init
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    {
        matrix a(MPI_COMM_WORLD, o.n);
        a.setup();  // communicates (MPI_ANY_SOURCE); sizes known only after this
        const auto m = static_cast<std::size_t>(a.local_rows());
        std::vector<double> x(m, 0.0), r(m), p(m), ap(m);
        for (std::size_t i = 0; i < m; ++i) {
            const auto g = static_cast<double>(a.first_row() + static_cast<std::int64_t>(i));
            r[i] = 1.0 + 0.5 * std::sin(g);  // b, with x0 = 0: r = b
        }
        p = r;
        double rho = dot(r, r, MPI_COMM_WORLD);
        std::int64_t iter = 0;

        // cairn: register what the loop carries, then restore (after the setup: sizes known).
        cairn::register_buffer("x", x.data(), x.size());
        cairn::register_buffer("r", r.data(), r.size());
        cairn::register_buffer("p", p.data(), p.size());
        cairn::register_scalar("rho", rho);
        cairn::register_scalar("iter", iter);
        if (cairn::restore() && rank == 0) {
            std::printf("cg_port: restarted from epoch %llu at iteration %lld\n",
                        static_cast<unsigned long long>(cairn::epoch()),
                        static_cast<long long>(iter));
        }

        while (iter < o.iters) {
            a.apply(p, ap);
            const double alpha = rho / dot(p, ap, MPI_COMM_WORLD);
            for (std::size_t i = 0; i < m; ++i) {
                x[i] += alpha * p[i];
                r[i] -= alpha * ap[i];
            }
            const double rho_new = dot(r, r, MPI_COMM_WORLD);
            const double beta = rho_new / rho;
            for (std::size_t i = 0; i < m; ++i) p[i] = r[i] + beta * p[i];
            rho = rho_new;
            ++iter;
            if (o.sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.sleep_ms));
            cairn::safe_point();  // cairn: once per iteration, no request pending
            if (cairn::exit_requested()) break;
        }
        const double sum = dot(x, x, MPI_COMM_WORLD);
        if (rank == 0 && iter == o.iters) {
            std::printf("cg_port: final iteration %lld residual %.17g norm2(x) %.17g\n",
                        static_cast<long long>(iter), std::sqrt(rho), sum);
        }
        std::fflush(stdout);
        cairn::finalize();  // cairn: while x, r, p, rho and iter still exist
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const options o = parse(argc, argv);
    try {
        return run(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cg_port: %s\n", e.what());
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return 1;
}
