// The one thread per process that calls HDF5 (HDF5 here is not thread-safe). Tasks run in
// submission order; every rank submits the same collective tasks in the same order.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace cairn::detail {

/// Runs tasks on a private thread marked as cairn-internal for the MPI wrappers.
class io_thread {
public:
    io_thread();
    ~io_thread();
    io_thread(const io_thread&) = delete;
    io_thread& operator=(const io_thread&) = delete;

    /// Queues `task` and returns at once.
    void submit(std::function<void()> task);

    /// Runs `task` on the thread and waits; rethrows what it threw.
    void run_sync(const std::function<void()>& task);

    /// True when no task is queued or running.
    [[nodiscard]] bool idle() const;

    /// Waits until idle().
    void wait_idle();

private:
    void loop();
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::condition_variable idle_cv_;
    std::deque<std::function<void()>> tasks_;
    bool running_ = false;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace cairn::detail
