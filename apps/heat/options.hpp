// Command-line options of the heat demo.
#pragma once

#include <cstdint>
#include <string>

namespace heat {

/// Parsed command line.
struct options {
    std::uint64_t nx = 256;              ///< global grid columns (interior points)
    std::uint64_t ny = 256;              ///< global grid rows (interior points)
    std::uint64_t steps = 1000;          ///< total time steps of the whole job
    std::uint64_t print_every = 100;     ///< progress line every N steps (0 = never)
    std::uint64_t sleep_ms = 0;          ///< sleep per step (makes kill tests easy to time)
    std::uint64_t checkpoint_every = 0;  ///< sets CAIRN_INTERVAL=steps:N unless already set
    bool help = false;                   ///< --help was given
};

/// Parses argv; throws std::invalid_argument with a readable message on bad input.
options parse_options(int argc, char** argv);

/// The --help text.
std::string usage(const char* argv0);

}  // namespace heat
