// heat: a 2-D heat equation on a Cartesian process grid, checkpointed and restarted by cairn.
//
//   mpirun -n 4 heat --steps 2000 --checkpoint-every 100
//
// Kill the job part-way and run the same command again: it resumes from the newest committed
// checkpoint and ends with the same final checksum as an uninterrupted run.
#include "field.hpp"
#include "options.hpp"

#include <mpi.h>
#include <cairn/cairn.hpp>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>

namespace {

int run(const heat::options& opt) {
    cairn::init_options init;
    init.app_name = "heat";
    // The run is defined by the grid; --steps, --sleep-ms and the print/checkpoint cadence may
    // change between restarts (a restart may go on to more steps), so they are not in the key.
    init.run_key = "nx=" + std::to_string(opt.nx) + " ny=" + std::to_string(opt.ny);
    cairn::init(nullptr, nullptr, init);

    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    {
        heat::field f(MPI_COMM_WORLD, opt.nx, opt.ny);
        std::uint64_t step = 0;
        double residual = 0.0;

        cairn::array_layout layout;
        layout.global_shape = {f.global_rows(), f.global_cols()};
        layout.offset = {f.row_offset(), f.col_offset()};
        layout.extent = {f.rows(), f.cols()};
        layout.memory_shape = {f.rows() + 2, f.cols() + 2};
        layout.memory_offset = {1, 1};
        cairn::register_distributed("temperature", f.data(), layout);
        cairn::register_scalar("step", step);
        cairn::register_scalar("residual", residual);

        if (rank == 0) {
            std::printf("heat: %" PRIu64 "x%" PRIu64 " grid on %dx%d ranks, %" PRIu64 " steps\n",
                        opt.ny, opt.nx, f.dims()[0], f.dims()[1], opt.steps);
        }
        if (cairn::restore() && rank == 0) {
            std::printf("heat: restarted from epoch %" PRIu64 " at step %" PRIu64 "\n",
                        cairn::epoch(), step);
        }
        std::fflush(stdout);

        bool stopped = false;
        while (step < opt.steps) {
            f.exchange_halos();  // also refreshes the halos after a restore
            const double change = f.step();
            MPI_Allreduce(&change, &residual, 1, MPI_DOUBLE, MPI_MAX, f.comm());
            ++step;
            if (rank == 0 && opt.print_every != 0 && step % opt.print_every == 0) {
                std::printf("heat: step %" PRIu64 "/%" PRIu64 " residual %.6e\n", step, opt.steps,
                            residual);
                std::fflush(stdout);
            }
            if (opt.sleep_ms != 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(opt.sleep_ms));
            }
            cairn::safe_point();
            if (cairn::exit_requested()) {
                stopped = step < opt.steps;
                break;
            }
        }

        if (stopped) {
            if (rank == 0) {
                std::printf("heat: checkpointed at step %" PRIu64 " (epoch %" PRIu64
                            ") and stopping on request; rerun to continue\n",
                            step, cairn::epoch());
            }
        } else {
            const std::uint64_t sum = f.checksum();
            if (rank == 0) {
                std::printf("heat: final checksum %016" PRIx64 " steps %" PRIu64 " residual %.6e\n",
                            sum, step, residual);
            }
        }
        std::fflush(stdout);
    }
    cairn::finalize();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);

    heat::options opt;
    try {
        opt = heat::parse_options(argc, argv);
    } catch (const std::exception& e) {
        if (rank == 0) std::fprintf(stderr, "heat: %s\n", e.what());
        MPI_Finalize();
        return 2;
    }
    if (opt.help) {
        if (rank == 0) std::fputs(heat::usage(argv[0]).c_str(), stdout);
        MPI_Finalize();
        return 0;
    }
    if (opt.checkpoint_every != 0 && std::getenv("CAIRN_INTERVAL") == nullptr) {
        const std::string interval = "steps:" + std::to_string(opt.checkpoint_every);
        setenv("CAIRN_INTERVAL", interval.c_str(), 1);
    }

    int rc = 0;
    try {
        rc = run(opt);
    } catch (const cairn::error& e) {  // names the rank and host already
        std::fprintf(stderr, "heat: %s\n", e.what());
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "heat: rank %d: %s\n", rank, e.what());
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Finalize();
    return rc;
}
