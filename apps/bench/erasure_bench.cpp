// erasure_bench: throughput of the node-local tier's erasure coding on one core (ISA-L through
// runtime/tier/erasure), as the redundancy sets use it: d data cells of --mib MiB each, encoded
// 1 MiB chunk by chunk into k parity shares (one share at a time, as a parity holder does).
//
//   erasure_bench --scheme rs:6+2 --mib 64 --reps 5
//
// Each repetition prints `result encode_<scheme> <mib> <rep> <GB/s>` with GB/s = data bytes read
// (d x mib MiB) / seconds, and `result decode_<scheme> <mib> <rep> <GB/s>` for rebuilding one
// data cell from d others. No MPI, no files. Timing goals belong here, never in tests.
#include "tier/erasure.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace cd = cairn::detail;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int usage(const char* why) {
    std::fprintf(stderr,
                 "%s%susage: erasure_bench [--scheme xor:N|rs:N+K] [--mib M] [--reps R]\n"
                 "  --scheme  xor:N (N-1 data cells, 1 parity) or rs:N+K (default rs:6+2)\n"
                 "  --mib     MiB per data cell (default 64)\n"
                 "  --reps    repetitions (default 5)\n",
                 why, *why != '\0' ? "\n" : "");
    return *why != '\0' ? 2 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string scheme = "rs:6+2";
    std::size_t mib = 64;
    int reps = 5;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") return usage("");
        if (i + 1 >= argc) return usage("missing value");
        const std::string v = argv[++i];
        if (a == "--scheme") scheme = v;
        else if (a == "--mib") mib = std::strtoull(v.c_str(), nullptr, 10);
        else if (a == "--reps") reps = std::atoi(v.c_str());
        else return usage("unknown option");
    }
    int d = 0;
    int k = 0;
    bool use_xor = false;
    if (scheme.rfind("xor:", 0) == 0) {
        d = std::atoi(scheme.c_str() + 4) - 1;
        k = 1;
        use_xor = true;
    } else if (scheme.rfind("rs:", 0) == 0 && scheme.find('+') != std::string::npos) {
        d = std::atoi(scheme.c_str() + 3);
        k = std::atoi(scheme.c_str() + scheme.find('+') + 1);
    }
    if (d < 1 || k < 1 || mib == 0 || reps < 1) return usage("bad --scheme, --mib or --reps");
    const std::size_t chunk = std::size_t{1} << 20;
    const cd::erasure_code code(d, k, use_xor);
    std::vector<cd::aligned_bytes> data;
    for (int i = 0; i < d; ++i) {
        data.emplace_back(mib * chunk);
        for (std::size_t b = 0; b < mib * chunk; ++b) {
            data.back().data()[b] = static_cast<unsigned char>(b * 131 + static_cast<std::size_t>(i));
        }
    }
    cd::aligned_bytes out(chunk);
    std::vector<int> from;  // rebuild data cell 0 from cells 1..d-1 and parity share 0
    for (int i = 1; i < d; ++i) from.push_back(i);
    from.push_back(d);
    const auto dec = code.decoder_for(from, 0);
    for (int rep = 0; rep < reps; ++rep) {
        const auto t0 = std::chrono::steady_clock::now();
        for (std::size_t c = 0; c < mib; ++c) {
            std::vector<unsigned char*> src;
            for (auto& x : data) src.push_back(x.data() + c * chunk);
            for (int j = 0; j < k; ++j) code.encode(j, chunk, src.data(), out.data());
        }
        const double s = seconds_since(t0);
        std::printf("result encode_%s %zu %d %.3f\n", scheme.c_str(), mib, rep,
                    static_cast<double>(d * mib * chunk) / s / 1e9);
        const auto t1 = std::chrono::steady_clock::now();
        for (std::size_t c = 0; c < mib; ++c) {
            std::vector<unsigned char*> src;
            for (auto& x : data) src.push_back(x.data() + c * chunk);
            dec.apply(chunk, src.data(), out.data());  // inputs stand in for the d cells at hand
        }
        const double s1 = seconds_since(t1);
        std::printf("result decode_%s %zu %d %.3f\n", scheme.c_str(), mib, rep,
                    static_cast<double>(d * mib * chunk) / s1 / 1e9);
    }
    return 0;
}
