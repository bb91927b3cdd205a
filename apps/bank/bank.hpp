// bank: the bank-transfer oracle of the non-blocking snapshot (docs/protocol: Mattern's cut).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace bank {

/// Parsed command line.
struct options {
    std::uint64_t steps = 200;           ///< steps of the whole job
    std::int64_t initial = 1000000;      ///< balance of every rank at the start
    std::uint64_t seed = 1;              ///< seed of every rank's random stream (plus the rank)
    std::uint64_t delay = 2;             ///< transfers of step k are received in step k + delay
    std::uint64_t checkpoint_every = 0;  ///< sets CAIRN_INTERVAL=steps:N unless already set
    std::uint64_t sleep_us = 0;          ///< sleep per step (compute time)
    std::string uncoordinated;  ///< if set: rank r writes <prefix>.<r>.txt at step 50 + 3 r
    bool thread_multiple = false;  ///< MPI initialised with MPI_THREAD_MULTIPLE for the application
    bool help = false;
};

/// Parses argv; throws std::invalid_argument with a readable message on bad input.
options parse_options(int argc, char** argv);

/// The --help text.
std::string usage(const char* argv0);

/// xoshiro256** with a registered state, so a restart continues the same stream.
struct rng {
    std::array<std::uint64_t, 4> s{};

    /// Seeds the state from `seed` with splitmix64.
    void seed(std::uint64_t seed);
    /// Next 64 random bits.
    std::uint64_t next();
};

/// Message tag of the transfers sent in step `step`.
inline int transfer_tag(std::uint64_t step) {
    return 1 + static_cast<int>(step % 4096);
}

}  // namespace bank
