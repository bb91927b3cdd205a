#include "options.hpp"

#include <stdexcept>
#include <string_view>

namespace heat {
namespace {

std::uint64_t parse_count(std::string_view name, const std::string& text, std::uint64_t min) {
    std::size_t used = 0;
    unsigned long long v = 0;
    try {
        if (text.empty() || text[0] == '-') throw std::invalid_argument("negative");
        v = std::stoull(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || used == 0) {
        throw std::invalid_argument(std::string(name) + ": expected a non-negative integer, got '" +
                                    text + "'");
    }
    if (v < min) {
        throw std::invalid_argument(std::string(name) + ": must be at least " +
                                    std::to_string(min));
    }
    return v;
}

}  // namespace

options parse_options(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            o.help = true;
            continue;
        }
        static const char* const known[] = {"--nx",          "--ny",       "--steps",
                                            "--print-every", "--sleep-ms", "--checkpoint-every"};
        const std::string key = arg.substr(0, arg.find('='));
        bool ok = false;
        for (const char* k : known) ok = ok || key == k;
        if (!ok) throw std::invalid_argument("unknown option '" + key + "' (see --help)");
        std::string value;
        if (auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
            value = arg.substr(eq + 1);
            arg.resize(eq);
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            throw std::invalid_argument(arg + ": missing value (see --help)");
        }
        if (arg == "--nx")
            o.nx = parse_count(arg, value, 1);
        else if (arg == "--ny")
            o.ny = parse_count(arg, value, 1);
        else if (arg == "--steps")
            o.steps = parse_count(arg, value, 0);
        else if (arg == "--print-every")
            o.print_every = parse_count(arg, value, 0);
        else if (arg == "--sleep-ms")
            o.sleep_ms = parse_count(arg, value, 0);
        else if (arg == "--checkpoint-every")
            o.checkpoint_every = parse_count(arg, value, 1);
        else
            throw std::invalid_argument("unknown option '" + arg + "' (see --help)");
    }
    return o;
}

std::string usage(const char* argv0) {
    return std::string("usage: mpirun -n P ") + argv0 + " [options]\n" +
           "2-D heat equation (explicit 5-point stencil, hot top edge, cold other edges) on a\n"
           "2-D Cartesian decomposition, checkpointed with cairn. Rerunning the same command\n"
           "after a crash resumes from the newest committed checkpoint (CAIRN_RESTART=auto).\n"
           "\n"
           "options:\n"
           "  --nx N                 grid columns (default 256)\n"
           "  --ny N                 grid rows (default 256)\n"
           "  --steps N              total time steps (default 1000)\n"
           "  --print-every N        progress line every N steps, 0 = none (default 100)\n"
           "  --sleep-ms N           sleep N ms per step, to time kill tests (default 0)\n"
           "  --checkpoint-every N   checkpoint every N steps: sets CAIRN_INTERVAL=steps:N\n"
           "                         unless CAIRN_INTERVAL is already set\n"
           "  -h, --help             this text\n"
           "\n"
           "cairn itself is configured through CAIRN_* environment variables (CAIRN_DIR,\n"
           "CAIRN_INTERVAL, CAIRN_KEEP, ...); see docs/configuration.md.\n"
           "At the end rank 0 prints 'heat: final checksum <hex> steps <n> residual <r>'; the\n"
           "checksum covers the whole field and does not depend on the number of ranks.\n";
}

}  // namespace heat
