#include "snapshot/staging_pool.hpp"

#include <chrono>
#include <exception>
#include <utility>

#include <unistd.h>

namespace cairn::detail {

staging_memory touched_memory(std::size_t bytes) {
    staging_memory m(bytes);  // value-initialised: zeroed
    // Write one byte per page as well, so the pages are resident even if the allocation and the
    // zeroing were merged into a calloc of untouched zero pages.
    const long page = sysconf(_SC_PAGESIZE);
    const std::size_t step = page > 0 ? static_cast<std::size_t>(page) : 4096;
    volatile unsigned char* p = m.data();
    for (std::size_t i = 0; i < bytes; i += step) p[i] = 0;
    return m;
}

staging_pool::~staging_pool() { join(); }

void staging_pool::join() {
    if (thread_.joinable()) thread_.join();
}

bool staging_pool::prepare(std::vector<staging_request> wanted) {
    if (busy()) return false;
    join();  // a finished task: its memory becomes the new task's to reuse or free
    staging_map old = std::move(ready_);
    ready_.clear();
    error_.clear();
    done_ = false;
    thread_ = std::thread([this, wanted = std::move(wanted), old = std::move(old)]() mutable {
        try {
            for (const staging_request& w : wanted) {
                auto it = old.find(w.name);
                if (it != old.end() && it->second.size() == w.bytes) {
                    ready_.emplace(w.name, std::move(it->second));
                    old.erase(it);
                    continue;
                }
                ready_.insert_or_assign(w.name, touched_memory(w.bytes));
            }
        } catch (const std::exception& e) {
            ready_.clear();
            error_ = std::string("preparing staging memory failed: ") + e.what();
        }
        old.clear();  // freed here, not on the application's thread
        done_ = true;
    });
    return true;
}

staging_map staging_pool::take(double& waited, std::string& error) {
    const auto t0 = std::chrono::steady_clock::now();
    join();
    waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    error = std::move(error_);
    error_.clear();
    staging_map out = std::move(ready_);
    ready_.clear();
    return out;
}

}  // namespace cairn::detail
