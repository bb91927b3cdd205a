#include "storage/background_remover.hpp"

#include "storage/fsutil.hpp"

#include <system_error>
#include <utility>

namespace cairn::detail {

void background_remover::start(std::vector<std::string> paths, failure_fn on_failure) {
    wait();
    if (paths.empty()) return;
    auto job = [paths = std::move(paths), on_failure = std::move(on_failure)] {
        for (const auto& p : paths) {
            std::string why;
            if (!remove_file(p, why) && on_failure) on_failure(p, why);
        }
    };
    try {
        worker_ = std::thread(job);  // copies the job, so it is still whole if this throws
    } catch (const std::system_error&) {
        job();
    }
}

void background_remover::wait() {
    if (worker_.joinable()) worker_.join();
}

}  // namespace cairn::detail
