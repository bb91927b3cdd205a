// Command line and random stream of the bank oracle.
#include "bank.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace bank {

namespace {

std::uint64_t parse_u64(const std::string& name, const std::string& v) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long x = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || v[0] == '-' || *end != '\0' || errno != 0) {
        throw std::invalid_argument(name + ": '" + v + "' is not a non-negative integer");
    }
    return x;
}

}  // namespace

options parse_options(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
            return argv[++i];
        };
        if (a == "--help" || a == "-h")
            o.help = true;
        else if (a == "--steps")
            o.steps = parse_u64(a, value());
        else if (a == "--initial")
            o.initial = static_cast<std::int64_t>(parse_u64(a, value()));
        else if (a == "--seed")
            o.seed = parse_u64(a, value());
        else if (a == "--delay")
            o.delay = parse_u64(a, value());
        else if (a == "--checkpoint-every")
            o.checkpoint_every = parse_u64(a, value());
        else if (a == "--sleep-us")
            o.sleep_us = parse_u64(a, value());
        else if (a == "--uncoordinated")
            o.uncoordinated = value();
        else if (a == "--thread-multiple")
            o.thread_multiple = true;
        else
            throw std::invalid_argument("unknown option '" + a + "' (see --help)");
    }
    if (o.delay == 0 || o.delay > 64) throw std::invalid_argument("--delay: 1 to 64");
    return o;
}

std::string usage(const char* argv0) {
    return std::string("usage: ") + argv0 +
           " [options]\n"
           "Bank-transfer oracle: every rank sends each peer a random amount (often 0) per step\n"
           "with MPI_Isend; transfers are received with MPI_ANY_SOURCE `delay` steps later, so\n"
           "they are in flight at every safe point. The total is conserved.\n"
           "  --steps N             steps (default 200)\n"
           "  --initial N           initial balance per rank (default 1000000)\n"
           "  --seed N              random seed (default 1)\n"
           "  --delay N             steps between sending and receiving a transfer (default 2)\n"
           "  --checkpoint-every N  sets CAIRN_INTERVAL=steps:N unless CAIRN_INTERVAL is set\n"
           "  --sleep-us N          sleep per step in microseconds (default 0)\n"
           "  --uncoordinated P     rank r also writes its own state at step 50+3r to P.r.txt\n"
           "                        (an uncoordinated snapshot, for bank_check to reject)\n"
           "  --thread-multiple     initialise MPI with MPI_THREAD_MULTIPLE for the application\n"
           "                        (cairn then counts messages under its lock)\n";
}

void rng::seed(std::uint64_t seed) {
    for (auto& x : s) {
        seed += 0x9e3779b97f4a7c15ULL;
        std::uint64_t z = seed;
        z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
        x = z ^ (z >> 31U);
    }
}

std::uint64_t rng::next() {
    auto rotl = [](std::uint64_t x, unsigned k) { return (x << k) | (x >> (64U - k)); };
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17U;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

}  // namespace bank
