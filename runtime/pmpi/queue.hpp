// Messages delivered to the application by cairn instead of MPI: the channel log being replayed
// after a restart, and messages the runtime pulled itself to complete a snapshot. Receives and
// probes look here before MPI, which keeps MPI's order per (source, tag, communicator).
#pragma once

#include <mpi.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace cairn::detail {

/// One queued message (payload without header, MPI_Pack bytes).
struct queued_message {
    std::uint32_t comm_id = 0;
    int source = 0;  ///< rank in the communicator
    int tag = 0;
    std::vector<unsigned char> payload;
};

/// FIFO with matching on (communicator id, source or ANY_SOURCE, tag or ANY_TAG).
class message_queue {
public:
    static message_queue& get();

    void push(queued_message m);
    /// Removes and returns the first match.
    std::optional<queued_message> take(std::uint32_t comm_id, int source, int tag);
    /// Looks at the first match without removing it (for probes).
    std::optional<queued_message> peek(std::uint32_t comm_id, int source, int tag) const;
    [[nodiscard]] bool empty() const { return n_.load(std::memory_order_relaxed) == 0; }
    [[nodiscard]] std::size_t size() const;
    void clear();

private:
    mutable std::mutex mu_;
    std::deque<queued_message> q_;
    std::atomic<std::size_t> n_{0};  // lock-free "is anything queued" for the fast path
};

/// The one queue (queue.cpp); namespace-scope so that get() and empty() inline on the fast path.
extern message_queue queue_instance;
inline message_queue& message_queue::get() { return queue_instance; }

}  // namespace cairn::detail
