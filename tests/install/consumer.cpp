// Consumer of the installed package (C++): the first run checkpoints, the second restores and
// checks the values. Exit status 0 on success.
#include <cairn/cairn.hpp>

#include <cstdint>
#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
    try {
        cairn::init(&argc, &argv);
        int rank = 0;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        std::vector<double> v(4, 0.0);
        std::int64_t step = 0;
        cairn::register_buffer("v", v.data(), v.size());
        cairn::register_scalar("step", step);
        if (cairn::restore()) {
            bool ok = step == 7;
            for (std::size_t i = 0; i < v.size(); ++i) ok = ok && v[i] == rank * 10.0 + i;
            std::printf("consumer_cxx: rank %d restored epoch %llu: %s\n", rank,
                        static_cast<unsigned long long>(cairn::epoch()), ok ? "ok" : "WRONG");
            cairn::finalize();
            return ok ? 0 : 1;
        }
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = rank * 10.0 + i;
        step = 7;
        cairn::checkpoint_now();
        std::printf("consumer_cxx: rank %d checkpointed epoch %llu\n", rank,
                    static_cast<unsigned long long>(cairn::epoch()));
        cairn::finalize();
        return 0;
    } catch (const cairn::error& e) {
        std::fprintf(stderr, "consumer_cxx: %s\n", e.what());
        return 1;
    }
}
