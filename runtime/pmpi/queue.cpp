#include "queue.hpp"

#include <algorithm>

namespace cairn::detail {

namespace {
bool matches(const queued_message& m, std::uint32_t comm_id, int source, int tag) {
    return m.comm_id == comm_id && (source == MPI_ANY_SOURCE || source == m.source) &&
           (tag == MPI_ANY_TAG || tag == m.tag);
}
}  // namespace

message_queue queue_instance;  // NOLINT: process-wide by nature

void message_queue::push(queued_message m) {
    const std::lock_guard<std::mutex> lock(mu_);
    q_.push_back(std::move(m));
    n_ = q_.size();
}

std::optional<queued_message> message_queue::take(std::uint32_t comm_id, int source, int tag) {
    if (n_.load(std::memory_order_relaxed) == 0) return std::nullopt;
    const std::lock_guard<std::mutex> lock(mu_);
    const auto it = std::find_if(q_.begin(), q_.end(), [&](const queued_message& m) {
        return matches(m, comm_id, source, tag);
    });
    if (it == q_.end()) return std::nullopt;
    queued_message out = std::move(*it);
    q_.erase(it);
    n_ = q_.size();
    return out;
}

std::optional<queued_message> message_queue::peek(std::uint32_t comm_id, int source,
                                                  int tag) const {
    if (n_.load(std::memory_order_relaxed) == 0) return std::nullopt;
    const std::lock_guard<std::mutex> lock(mu_);
    const auto it = std::find_if(q_.begin(), q_.end(), [&](const queued_message& m) {
        return matches(m, comm_id, source, tag);
    });
    if (it == q_.end()) return std::nullopt;
    return *it;
}


std::size_t message_queue::size() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return q_.size();
}

void message_queue::clear() {
    const std::lock_guard<std::mutex> lock(mu_);
    q_.clear();
    n_ = 0;
}

}  // namespace cairn::detail
