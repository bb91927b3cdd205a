// hydro_port: an explicit time-stepping code ported to cairn (docs/porting.md walks through it).
//
//   mpirun -n 4 hydro_port --cells 4000 --steps 400
//
// A 1-D two-species reactive-flow proxy on a block-distributed periodic grid: 12 state arrays
// held as private std::vector members of one class, a time step from a CFL-like rule computed
// per rank (its own dt_local, different on every rank) and then reduced to the global dt, and
// simulated time. None of the arrays is ever resized after construction.
//
// The port, marked "cairn:" below: the class registers its own members (register_buffer on the
// vectors' storage, register_scalar on the per-rank scalars), restore() after construction,
// safe_point() at the end of each step, finalize() after the last use of the state.
#include <mpi.h>
#include <cairn/cairn.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

struct options {
    std::int64_t cells = 4000;
    std::int64_t steps = 400;
    int sleep_ms = 0;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "hydro_port: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--cells") o.cells = std::atoll(next());
        else if (a == "--steps") o.steps = std::atoll(next());
        else if (a == "--sleep-ms") o.sleep_ms = std::atoi(next());
        else if (a == "--help" || a == "-h") {
            std::printf("usage: hydro_port [--cells N] [--steps K] [--sleep-ms MS]\n"
                        "Explicit 1-D reactive-flow proxy, N cells, K steps; prints the final time\n"
                        "and checksums with %%.17g.\n");
            std::exit(0);
        } else {
            std::fprintf(stderr, "hydro_port: unknown argument %s\n", a.c_str());
            std::exit(2);
        }
    }
    return o;
}

class hydro {
public:
    hydro(MPI_Comm comm, std::int64_t cells) : comm_(comm) {
        int p = 1;
        MPI_Comm_rank(comm, &rank_);
        MPI_Comm_size(comm, &p);
        left_ = (rank_ + p - 1) % p;
        right_ = (rank_ + 1) % p;
        const std::int64_t lo = cells * rank_ / p;
        n_ = static_cast<std::size_t>(cells * (rank_ + 1) / p - lo);
        for (auto* v : arrays()) v->assign(n_ + 2, 0.0);  // one ghost cell each side
        for (std::size_t i = 1; i <= n_; ++i) {
            const double x = (static_cast<double>(lo) + static_cast<double>(i) - 0.5) /
                             static_cast<double>(cells);
            rho_[i] = 1.0 + 0.2 * std::sin(6.283185307179586 * x);
            mom_[i] = 0.1 * std::cos(12.566370614359172 * x);
            ene_[i] = 2.5 + 0.1 * std::sin(18.84955592153876 * x);
            ya_[i] = x < 0.5 ? 1.0 : 0.0;
            yb_[i] = 1.0 - ya_[i];
            heat_[i] = 0.0;
        }
        dx_ = 1.0 / static_cast<double>(cells);
    }

    // cairn: the state registers itself; it owns the memory, which lives until finalize().
    void register_state() {
        const char* names[] = {"rho", "mom", "ene", "ya", "yb", "heat",
                               "rho_old", "mom_old", "ene_old", "flux_rho", "flux_mom", "flux_ene"};
        auto arr = arrays();
        for (std::size_t k = 0; k < arr.size(); ++k) {
            cairn::register_buffer(names[k], arr[k]->data(), arr[k]->size());
        }
        cairn::register_scalar("time", time_);
        cairn::register_scalar("step", step_);
        cairn::register_scalar("dt", dt_);              // global, the same on every rank
        cairn::register_scalar("dt_local", dt_local_);  // per rank: differs between ranks
        cairn::register_scalar("dt_min_seen", dt_min_seen_);
    }

    std::int64_t step() const { return step_; }

    void advance() {
        exchange(rho_);
        exchange(mom_);
        exchange(ene_);
        exchange(ya_);
        // CFL-like rule per rank, then the global minimum.
        double smax = 1e-12;
        for (std::size_t i = 1; i <= n_; ++i) {
            const double u = mom_[i] / rho_[i];
            const double c = std::sqrt(1.4 * 0.4 * std::max(ene_[i] / rho_[i] - 0.5 * u * u, 1e-6));
            smax = std::max(smax, std::fabs(u) + c);
        }
        dt_local_ = 0.4 * dx_ / smax;
        MPI_Allreduce(&dt_local_, &dt_, 1, MPI_DOUBLE, MPI_MIN, comm_);
        dt_min_seen_ = std::min(dt_min_seen_ == 0.0 ? dt_local_ : dt_min_seen_, dt_local_);
        rho_old_ = rho_;
        mom_old_ = mom_;
        ene_old_ = ene_;
        // Lax-Friedrichs fluxes at the left face of each cell (and the right face of the last).
        for (std::size_t i = 1; i <= n_ + 1; ++i) {
            const double ul = mom_[i - 1] / rho_[i - 1];
            const double ur = mom_[i] / rho_[i];
            flux_rho_[i] = 0.5 * (mom_[i - 1] + mom_[i]) - 0.5 * dx_ / dt_ * (rho_[i] - rho_[i - 1]) * 0.5;
            flux_mom_[i] = 0.5 * (mom_[i - 1] * ul + mom_[i] * ur) -
                           0.5 * dx_ / dt_ * (mom_[i] - mom_[i - 1]) * 0.5;
            flux_ene_[i] = 0.5 * (ene_[i - 1] * ul + ene_[i] * ur) -
                           0.5 * dx_ / dt_ * (ene_[i] - ene_[i - 1]) * 0.5;
        }
        const double k = dt_ / dx_;
        for (std::size_t i = 1; i <= n_; ++i) {
            rho_[i] = rho_old_[i] - k * (face(flux_rho_, i + 1) - flux_rho_[i]);
            mom_[i] = mom_old_[i] - k * (face(flux_mom_, i + 1) - flux_mom_[i]);
            ene_[i] = ene_old_[i] - k * (face(flux_ene_, i + 1) - flux_ene_[i]);
            // a reaction a -> b releasing heat, and a diffusion of the species
            const double rate = 5.0 * ya_[i] * std::exp(-1.0 / std::max(ene_[i] / rho_[i], 1e-3));
            const double react = std::min(ya_[i], dt_ * rate);
            ya_[i] += 0.1 * k * (ya_[i - 1] - 2 * ya_[i] + ya_[i + 1]) * dx_ - react;
            yb_[i] = 1.0 - ya_[i];
            heat_[i] += react;
        }
        time_ += dt_;
        ++step_;
    }

    void report() const {
        double local[4] = {0, 0, 0, 0};
        for (std::size_t i = 1; i <= n_; ++i) {
            local[0] += rho_[i];
            local[1] += ene_[i];
            local[2] += heat_[i] * static_cast<double>(i);
        }
        local[3] = dt_min_seen_;
        double sum[3] = {0, 0, 0};
        MPI_Reduce(local, sum, 3, MPI_DOUBLE, MPI_SUM, 0, comm_);
        double dtmin = 0;
        MPI_Reduce(&local[3], &dtmin, 1, MPI_DOUBLE, MPI_MIN, 0, comm_);
        if (rank_ == 0) {
            std::printf("hydro_port: final step %lld time %.17g mass %.17g energy %.17g heat %.17g "
                        "dt_min %.17g\n",
                        static_cast<long long>(step_), time_, sum[0], sum[1], sum[2], dtmin);
        }
    }

private:
    std::vector<std::vector<double>*> arrays() {
        return {&rho_, &mom_, &ene_, &ya_, &yb_, &heat_, &rho_old_, &mom_old_, &ene_old_,
                &flux_rho_, &flux_mom_, &flux_ene_};
    }
    double face(const std::vector<double>& f, std::size_t i) const {
        return i <= n_ ? f[i] : f[n_ + 1];
    }
    // Periodic ghost cells: the left neighbour's last cell and the right neighbour's first.
    void exchange(std::vector<double>& v) {
        MPI_Sendrecv(&v[n_], 1, MPI_DOUBLE, right_, 1, &v[0], 1, MPI_DOUBLE, left_, 1, comm_,
                     MPI_STATUS_IGNORE);
        MPI_Sendrecv(&v[1], 1, MPI_DOUBLE, left_, 2, &v[n_ + 1], 1, MPI_DOUBLE, right_, 2, comm_,
                     MPI_STATUS_IGNORE);
    }

    MPI_Comm comm_;
    int rank_ = 0;
    int left_ = 0;
    int right_ = 0;
    std::size_t n_ = 0;
    double dx_ = 0;
    std::vector<double> rho_, mom_, ene_, ya_, yb_, heat_;
    std::vector<double> rho_old_, mom_old_, ene_old_, flux_rho_, flux_mom_, flux_ene_;
    double time_ = 0;
    std::int64_t step_ = 0;
    double dt_ = 0;
    double dt_local_ = 0;
    double dt_min_seen_ = 0;
};

int run(const options& o) {
    cairn::init_options init;
    init.app_name = "hydro_port";
    init.run_key = "cells=" + std::to_string(o.cells);  // --steps may grow on a restart
    cairn::init(nullptr, nullptr, init);                 // cairn: instead of MPI_Init
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    {
        hydro h(MPI_COMM_WORLD, o.cells);
        h.register_state();  // cairn
        if (cairn::restore() && rank == 0) {
            std::printf("hydro_port: restarted from epoch %llu at step %lld\n",
                        static_cast<unsigned long long>(cairn::epoch()),
                        static_cast<long long>(h.step()));
        }
        while (h.step() < o.steps) {
            h.advance();
            if (o.sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.sleep_ms));
            cairn::safe_point();  // cairn: once per step
            if (cairn::exit_requested()) break;
        }
        if (h.step() == o.steps) h.report();
        std::fflush(stdout);
        cairn::finalize();  // cairn: while h, whose members are registered, still exists
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const options o = parse(argc, argv);
    try {
        return run(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hydro_port: %s\n", e.what());
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return 1;
}
