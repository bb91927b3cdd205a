#include "snapshot/copy_helper.hpp"

#include <sched.h>

#include <cstring>
#include <system_error>

namespace cairn::detail {

bool use_copy_helper(staging_split mode, int ranks_on_node, int usable_cpus) {
    if (mode != staging_split::automatic) return mode == staging_split::on;
    return ranks_on_node > 0 && 2 * ranks_on_node <= usable_cpus;
}

int usable_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    const int n = CPU_COUNT(&set);
    return n > 0 ? n : 1;
}

copy_helper::~copy_helper() {
    {
        const std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void copy_helper::loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
        cv_.wait(lock, [this] { return stop_ || (job_ && n_ > 0); });
        if (stop_) return;
        void* dst = dst_;
        const void* src = src_;
        const std::size_t n = n_;
        lock.unlock();
        std::memcpy(dst, src, n);
        lock.lock();
        n_ = 0;
        job_ = false;
        cv_.notify_all();
    }
}

void copy_helper::copy(void* dst, const void* src, std::size_t n) {
    if (n < split_bytes) {
        if (n > 0) std::memcpy(dst, src, n);
        return;
    }
    if (!thread_.joinable()) {
        try {
            thread_ = std::thread([this] { loop(); });
        } catch (const std::system_error&) {
            std::memcpy(dst, src, n);  // no thread: copy it all here
            return;
        }
    }
    // The helper takes the second half, cut at a 4 KiB boundary (whole pages per thread).
    const std::size_t first = (n / 2) & ~(std::size_t{4096} - 1);
    {
        const std::lock_guard<std::mutex> lock(mu_);
        dst_ = static_cast<unsigned char*>(dst) + first;
        src_ = static_cast<const unsigned char*>(src) + first;
        n_ = n - first;
        job_ = true;
    }
    cv_.notify_all();
    std::memcpy(dst, src, first);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !job_; });
}

}  // namespace cairn::detail
