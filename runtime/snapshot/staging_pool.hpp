// Staging memory for non-blocking checkpoints, allocated and first-touched on a background
// thread before the cut, so that the cut copies into resident pages (docs/protocol.md).
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace cairn::detail {

/// Staging memory of one buffer.
using staging_memory = std::vector<unsigned char>;

/// Staging memory by buffer name.
using staging_map = std::unordered_map<std::string, staging_memory>;

/// One buffer to prepare: its name and size in bytes.
struct staging_request {
    std::string name;
    std::size_t bytes = 0;
};

/// Prepares staging memory on its own thread (no MPI, no HDF5). The memory belongs to that
/// thread until take() has joined it; the caller's thread never sees it before.
class staging_pool {
public:
    staging_pool() = default;
    ~staging_pool();
    staging_pool(const staging_pool&) = delete;
    staging_pool& operator=(const staging_pool&) = delete;

    /// Starts preparing `wanted`. Memory prepared earlier and not yet taken is handed to the new
    /// task, which keeps what matches by name and size and frees the rest. Returns false (and
    /// does nothing) while an earlier preparation is still running.
    bool prepare(std::vector<staging_request> wanted);

    /// True while a preparation is running.
    [[nodiscard]] bool busy() const { return thread_.joinable() && !done_.load(); }

    /// Waits for the preparation, if any, and hands over its memory (empty when none). Sets
    /// `waited` to the seconds spent waiting and `error` to a failure of the task ("" = none; the
    /// memory of a failed task is dropped).
    staging_map take(double& waited, std::string& error);

private:
    void join();
    std::thread thread_;
    std::atomic<bool> done_{false};
    staging_map ready_;  // owned by thread_ while it runs
    std::string error_;  // owned by thread_ while it runs
};

/// Returns `bytes` of zeroed memory whose pages have all been written (resident).
staging_memory touched_memory(std::size_t bytes);

}  // namespace cairn::detail
