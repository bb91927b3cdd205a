// Channel state of a non-blocking snapshot: the white messages a rank received after it turned
// red (Mattern's "late" messages), plus the per-peer counters that prove the cut is complete.
#pragma once

#include <cstdint>
#include <vector>

namespace cairn::detail {

/// One logged message, as the application received it.
struct logged_message {
    std::uint32_t comm_id = 0;  ///< cairn's id of the communicator (0 = MPI_COMM_WORLD)
    std::int32_t source = 0;    ///< sender's rank in that communicator
    std::int32_t tag = 0;
    std::uint32_t epoch = 0;                ///< color (epoch) the sender gave it
    std::vector<unsigned char> payload;     ///< MPI_Pack (native) bytes of the received data
};

/// This rank's channel state for one snapshot. Counter vectors are indexed by world rank and
/// have one entry per rank of the job (empty in blocking mode).
struct channel_state {
    std::vector<logged_message> messages;    ///< in the order they were received
    std::vector<std::uint64_t> sent_white;   ///< [dest] white messages this rank sent
    std::vector<std::uint64_t> recv_before;  ///< [src] white messages received before the cut
    std::vector<std::uint64_t> logged;       ///< [src] white messages logged after the cut

    /// Total payload bytes of the logged messages.
    [[nodiscard]] std::uint64_t payload_bytes() const {
        std::uint64_t n = 0;
        for (const auto& m : messages) n += m.payload.size();
        return n;
    }
};

/// Statistics of one checkpoint, stored as root attributes (stat_*) and in the stats log.
struct checkpoint_stats {
    std::uint64_t bytes = 0;          ///< registered bytes over all ranks
    double stall_seconds = 0;         ///< max application stall over ranks for this checkpoint
    double write_seconds = 0;         ///< time to write and commit the file
    std::uint64_t messages_logged = 0;  ///< channel-log messages over all ranks
    std::uint64_t aborted_epochs = 0;   ///< epochs aborted since the previous commit
    std::uint64_t staging_waits = 0;    ///< safe points that waited for staging memory
    int nonblocking = 0;                ///< 1 if taken with the non-blocking protocol
};

}  // namespace cairn::detail
