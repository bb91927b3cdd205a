// Helpers shared by the checkpoint-file tests: checks that count failures, buffer builders.
#pragma once

#include "common/buffer.hpp"
#include "h5/checkpoint_file.hpp"

#include <mpi.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace file_test {

inline int failures = 0;

/// Rank in MPI_COMM_WORLD, 0 when MPI is not initialised (serial tests).
inline int world_rank() {
    int init = 0;
    MPI_Initialized(&init);
    int r = 0;
    if (init != 0) MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

#define FT_CHECK(cond, msg)                                                  \
    do {                                                                     \
        if (!(cond)) {                                                       \
            ++file_test::failures;                                           \
            std::fprintf(stderr, "rank %d: %s:%d: CHECK failed: %s -- %s\n", \
                         file_test::world_rank(), __FILE__, __LINE__, #cond, \
                         std::string(msg).c_str());                          \
        }                                                                    \
    } while (0)

/// Runs f and returns the message of the exception of type E it throws ("" and a failure if it
/// throws nothing or something else).
template <class E, class F>
std::string expect_throw(F&& f, const char* what) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        FT_CHECK(false, std::string(what) + ": wrong exception type: " + e.what());
        return "";
    }
    FT_CHECK(false, std::string(what) + ": nothing thrown");
    return "";
}

inline bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

/// Sums failures over all ranks; prints a summary on rank 0; returns the exit code.
inline int finish(const char* name) {
    int total = file_test::failures;
    MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (world_rank() == 0) {
        std::printf("%s: %s (%d failed checks)\n", name, total == 0 ? "PASSED" : "FAILED", total);
    }
    return total == 0 ? 0 : 1;
}

/// A per-rank buffer description.
inline cairn::detail::buffer_desc per_rank(const std::string& name, void* data, cairn::type t,
                                           std::size_t count) {
    cairn::detail::buffer_desc b;
    b.name = name;
    b.data = data;
    b.elem = t;
    b.kind = cairn::detail::buffer_kind::per_rank;
    b.count = count;
    b.ndims = 1;
    return b;
}

/// A distributed buffer description; mem_shape empty = extent, mem_offset empty = 0.
inline cairn::detail::buffer_desc distributed(const std::string& name, void* data, cairn::type t,
                                              std::vector<std::uint64_t> global,
                                              std::vector<std::uint64_t> offset,
                                              std::vector<std::uint64_t> extent,
                                              std::vector<std::uint64_t> mem_shape = {},
                                              std::vector<std::uint64_t> mem_offset = {}) {
    cairn::detail::buffer_desc b;
    b.name = name;
    b.data = data;
    b.elem = t;
    b.kind = cairn::detail::buffer_kind::distributed;
    b.ndims = static_cast<int>(global.size());
    b.count = 1;
    for (int d = 0; d < b.ndims; ++d) {
        b.global[d] = global[d];
        b.offset[d] = offset[d];
        b.extent[d] = extent[d];
        b.mem_shape[d] = mem_shape.empty() ? extent[d] : mem_shape[d];
        b.mem_offset[d] = mem_offset.empty() ? 0 : mem_offset[d];
        b.count *= extent[d];
    }
    return b;
}

/// Splits n into p uneven parts (the first parts larger); with `last_empty` the last part is 0.
inline std::vector<std::uint64_t> split(std::uint64_t n, int p, bool last_empty) {
    std::vector<std::uint64_t> parts(static_cast<std::size_t>(p), 0);
    const int k = last_empty && p > 1 ? p - 1 : p;
    // weights 2,1,1,...: the first part gets about twice as much as the others
    std::uint64_t left = n;
    for (int i = 0; i < k; ++i) {
        const std::uint64_t share = i == k - 1 ? left : n * (i == 0 ? 2 : 1) / (k + 1);
        parts[static_cast<std::size_t>(i)] = share < left ? share : left;
        left -= parts[static_cast<std::size_t>(i)];
    }
    return parts;
}

/// Offset of part i of a split.
inline std::uint64_t start_of(const std::vector<std::uint64_t>& parts, int i) {
    std::uint64_t s = 0;
    for (int k = 0; k < i; ++k) s += parts[static_cast<std::size_t>(k)];
    return s;
}

/// Metadata with recognisable values.
inline cairn::detail::checkpoint_meta test_meta(std::uint64_t epoch) {
    cairn::detail::checkpoint_meta m;
    m.cairn_version = "0.1.0-test";
    m.epoch = epoch;
    m.safe_point = 1000 + epoch;
    m.app_name = "file-test";
    m.time_unix = 1700000000;
    m.time_iso = "2023-11-14T22:13:20Z";
    m.job_id = "job-77";
    m.interval_delta = 1.5;
    m.interval_mtbf = 86400.0;
    m.interval_t = 3219.9;
    m.color = 2 * epoch + 1;
    m.stats.bytes = 123456789012ULL;
    m.stats.stall_seconds = 0.25;
    m.stats.write_seconds = 1.75;
    m.stats.messages_logged = 17;
    m.stats.aborted_epochs = 2;
    m.stats.staging_waits = 3;
    m.stats.nonblocking = 1;
    return m;
}

/// A channel state of random size for `rank` of `p`: rank 1 logs nothing, rank 2 has no
/// counters (blocking mode), the others a few messages (payloads of 0 to 40 bytes, the first of
/// rank 0 empty) and counters.
inline cairn::detail::channel_state test_channel(int rank, int p, unsigned seed) {
    std::mt19937 gen(seed * 7919U + static_cast<unsigned>(rank));
    cairn::detail::channel_state c;
    if (rank != 1) {
        const int n = 1 + static_cast<int>(gen() % 6);
        for (int i = 0; i < n; ++i) {
            cairn::detail::logged_message m;
            m.comm_id = gen() % 3;
            m.source = static_cast<std::int32_t>(gen() % static_cast<unsigned>(p));
            m.tag = static_cast<std::int32_t>(gen() % 100000);
            m.epoch = 1 + gen() % 4;
            const std::size_t len = rank == 0 && i == 0 ? 0 : gen() % 41;
            for (std::size_t k = 0; k < len; ++k) {
                m.payload.push_back(static_cast<unsigned char>(gen()));
            }
            c.messages.push_back(std::move(m));
        }
    }
    if (rank != 2) {
        for (int q = 0; q < p; ++q) {
            c.sent_white.push_back(gen() % 1000);
            c.recv_before.push_back(gen() % 1000);
            c.logged.push_back(gen() % 10);
        }
    }
    return c;
}

/// True when `got` is `want` as restored (empty counters read back as p zeros).
inline bool same_channel(const cairn::detail::channel_state& want,
                         const cairn::detail::channel_state& got, int p) {
    if (want.messages.size() != got.messages.size()) return false;
    for (std::size_t i = 0; i < want.messages.size(); ++i) {
        const auto& a = want.messages[i];
        const auto& b = got.messages[i];
        if (a.comm_id != b.comm_id || a.source != b.source || a.tag != b.tag ||
            a.epoch != b.epoch || a.payload != b.payload) {
            return false;
        }
    }
    const std::vector<std::uint64_t> zeros(static_cast<std::size_t>(p), 0);
    auto same = [&](const std::vector<std::uint64_t>& w, const std::vector<std::uint64_t>& g) {
        return g == (w.empty() ? zeros : w);
    };
    return same(want.sent_white, got.sent_white) && same(want.recv_before, got.recv_before) &&
           same(want.logged, got.logged);
}

}  // namespace file_test
