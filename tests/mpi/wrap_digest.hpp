// Digest of received data and statuses for the wrapper transparency test: a plain MPI run and runs
// with libcairn interposed must produce the same text, byte for byte.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace wrap_test {

/// FNV-1a 64 of `n` bytes.
inline std::uint64_t fnv1a(const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    std::uint64_t h = 1469598103934665603ULL;
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

/// Deterministic fill: element i of a buffer seeded with `seed`.
template <class T>
std::vector<T> pattern(std::size_t n, int seed) {
    std::vector<T> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = static_cast<T>((static_cast<std::size_t>(seed) * 7919U + i * 31U) % 251U + 1U);
    return v;
}

/// Collects one line per observation and counts failed self-checks.
class digest {
public:
    /// `rank` prefixes error messages.
    explicit digest(int rank) : rank_(rank) {}

    /// Records source, tag, count and element count (against `dt`) and the cancelled flag.
    void status(const std::string& label, const MPI_Status& st, MPI_Datatype dt) {
        int count = 0;
        int elems = 0;
        int cancelled = 0;
        MPI_Get_count(&st, dt, &count);
        MPI_Get_elements(&st, dt, &elems);
        MPI_Test_cancelled(&st, &cancelled);
        out_ << label << " status source=" << st.MPI_SOURCE << " tag=" << st.MPI_TAG
             << " count=" << fmt(count) << " elements=" << fmt(elems) << " cancelled=" << cancelled
             << '\n';
    }

    /// Records the hash and length of received bytes.
    void data(const std::string& label, const void* p, std::size_t bytes) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a(p, bytes)));
        out_ << label << " data bytes=" << bytes << " fnv=" << buf << '\n';
    }

    /// Records a named integer (flags, indices, counts).
    void value(const std::string& label, long long v) { out_ << label << " = " << v << '\n'; }

    /// Self-check: counts and reports a failure, does not stop the test.
    void check(bool ok, const std::string& what) {
        if (ok) return;
        ++errors_;
        std::fprintf(stderr, "wrap_transparency rank %d: CHECK FAILED: %s\n", rank_, what.c_str());
        out_ << "CHECK FAILED " << what << '\n';
    }

    /// Failed self-checks so far.
    [[nodiscard]] int errors() const { return errors_; }

    /// Writes the digest to `path`; false on I/O failure.
    bool write(const std::string& path) const {
        std::ofstream f(path, std::ios::trunc);
        f << out_.str() << "complete errors=" << errors_ << '\n';
        return static_cast<bool>(f);
    }

private:
    static std::string fmt(int v) { return v == MPI_UNDEFINED ? "undefined" : std::to_string(v); }

    int rank_;
    int errors_ = 0;
    std::ostringstream out_;
};

}  // namespace wrap_test
