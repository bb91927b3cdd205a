#include "snapshot/io_thread.hpp"

#include "pmpi/internal.hpp"

namespace cairn::detail {

io_thread::io_thread() : thread_([this] { loop(); }) {}

io_thread::~io_thread() {
    {
        const std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void io_thread::loop() {
    const internal_scope internal;  // MPI calls from this thread bypass the protocol
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
        cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // stop requested and nothing left
        auto task = std::move(tasks_.front());
        tasks_.pop_front();
        running_ = true;
        lock.unlock();
        task();
        lock.lock();
        running_ = false;
        if (tasks_.empty()) idle_cv_.notify_all();
    }
}

void io_thread::submit(std::function<void()> task) {
    {
        const std::lock_guard<std::mutex> lock(mu_);
        tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
}

void io_thread::run_sync(const std::function<void()>& task) {
    std::exception_ptr err;
    bool done = false;
    std::mutex m;
    std::condition_variable cv;
    submit([&] {
        try {
            task();
        } catch (...) {
            err = std::current_exception();
        }
        const std::lock_guard<std::mutex> lock(m);
        done = true;
        cv.notify_all();
    });
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return done; });
    if (err) std::rethrow_exception(err);
}

bool io_thread::idle() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return tasks_.empty() && !running_;
}

void io_thread::wait_idle() {
    std::unique_lock<std::mutex> lock(mu_);
    idle_cv_.wait(lock, [this] { return tasks_.empty() && !running_; });
}

}  // namespace cairn::detail
