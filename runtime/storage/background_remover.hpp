// Deletes files on a thread of its own. Deleting an old 1 GiB checkpoint took 0.4-0.5 s on ext4
// (freeing its blocks); retention first renames the file out of the checkpoint set, which is
// immediate, and leaves the deletion here, so a commit does not wait for it.
#pragma once

#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace cairn::detail {

class background_remover {
public:
    /// Called on the removing thread for a file that could not be deleted, with the reason.
    using failure_fn = std::function<void(const std::string& path, const std::string& why)>;

    background_remover() = default;
    background_remover(const background_remover&) = delete;
    background_remover& operator=(const background_remover&) = delete;
    ~background_remover() { wait(); }

    /// Waits for the previous batch, then deletes `paths` in order on a new thread (a missing
    /// file counts as deleted); on the calling thread if no thread can be started. One thread
    /// calls start() and wait().
    void start(std::vector<std::string> paths, failure_fn on_failure);

    /// Returns when every file handed to start() has been dealt with.
    void wait();

    /// True while a batch may still be running.
    [[nodiscard]] bool pending() const { return worker_.joinable(); }

private:
    std::thread worker_;
};

}  // namespace cairn::detail
