// A second thread for the staging copy at the cut: a large copy is split in two halves, the
// calling thread copies one and the helper the other, so the application's stall is about half
// a memcpy when a core (or a share of one) is free. The work is the same; it only moves off the
// stalled thread. The helper sleeps on a condition variable between copies.
#pragma once

#include "common/config.hpp"

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace cairn::detail {

/// Whether the staging copy should use the helper: `on`, `off`, or (automatic) when every rank
/// on the node can have a core of its own for it: 2 x `ranks_on_node` <= `usable_cpus`, the
/// CPUs this process may run on. Where the ranks already use every core, the helper only waits
/// for a time slice and the stall grows (docs/benchmarks.md).
bool use_copy_helper(staging_split mode, int ranks_on_node, int usable_cpus);

/// CPUs the calling process may run on (its affinity mask; 1 if it cannot be read).
int usable_cpus();

class copy_helper {
public:
    /// Copies of at least this many bytes are split; smaller ones are one memcpy.
    static constexpr std::size_t split_bytes = std::size_t{4} << 20U;

    copy_helper() = default;
    copy_helper(const copy_helper&) = delete;
    copy_helper& operator=(const copy_helper&) = delete;
    ~copy_helper();

    /// memcpy(dst, src, n), with the second half on the helper thread when n >= split_bytes.
    /// Returns when all n bytes are copied. Called by one thread at a time.
    void copy(void* dst, const void* src, std::size_t n);

private:
    void loop();
    std::mutex mu_;
    std::condition_variable cv_;
    std::thread thread_;  // started on the first split copy
    void* dst_ = nullptr;
    const void* src_ = nullptr;
    std::size_t n_ = 0;
    bool job_ = false;   // a half is waiting for the helper or being copied
    bool stop_ = false;
};

}  // namespace cairn::detail
