// Helpers shared by the fuzz targets.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace cairn_fuzz {

inline std::string& scratch_path() {
    static std::string path;
    return path;
}

/// Writes the input to a per-process scratch file (in $TMPDIR or /tmp), removed at exit.
inline const std::string& write_input_file(const std::uint8_t* data, std::size_t size,
                                           const char* suffix) {
    std::string& path = scratch_path();
    if (path.empty()) {
        const char* tmp = std::getenv("TMPDIR");
        path = std::string(tmp != nullptr ? tmp : "/tmp") + "/cairn-fuzz-" +
               std::to_string(::getpid()) + suffix;
        std::atexit([] { std::remove(scratch_path().c_str()); });
    }
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
    return path;
}

/// Stops the fuzzer with a crash report when a documented property does not hold.
inline void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "cairn fuzz: property violated: %s\n", what);
        std::abort();
    }
}

}  // namespace cairn_fuzz
