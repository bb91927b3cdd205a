#include "core/restore_check.hpp"

#include "common/error.hpp"
#include "mpi/comm.hpp"
#include "pmpi/protocol.hpp"
#include "pmpi/requests.hpp"

#include <cstdint>
#include <vector>

namespace cairn::detail {

std::string messages_in_flight(MPI_Comm world, int rank) {
    std::vector<std::uint64_t> sent;
    std::vector<std::uint64_t> received;
    protocol::get().current_counts(sent, received);
    std::vector<std::uint64_t> sent_to_me(sent.size(), 0);
    check_mpi(PMPI_Alltoall(sent.data(), 1, MPI_UINT64_T, sent_to_me.data(), 1, MPI_UINT64_T,
                            world),
              "MPI_Alltoall");
    std::string out;
    for (std::size_t src = 0; src < sent.size(); ++src) {
        if (sent_to_me[src] > received[src]) {
            out += (out.empty() ? "" : ", ") + std::to_string(sent_to_me[src] - received[src]) +
                   " message(s) sent to rank " + std::to_string(rank) + " by rank " +
                   std::to_string(src) + " not received yet";
        }
    }
    const std::size_t pending = request_table::get().pending_nonpersistent();
    if (pending > 0) {
        out += (out.empty() ? "" : ", ") + std::to_string(pending) + " request(s) of rank " +
               std::to_string(rank) + " still pending (MPI_Isend/MPI_Irecv not completed)";
    }
    return out;
}

void require_nothing_in_flight(MPI_Comm user, int rank) {
    // Only the non-blocking protocol colors and counts messages; restore() resets both, so a
    // message sent before it and received after it would be counted against the wrong epoch.
    if (!protocol::get().active()) return;
    int same = MPI_UNEQUAL;
    check_mpi(MPI_Comm_compare(user, MPI_COMM_WORLD, &same), "MPI_Comm_compare");
    if (same != MPI_IDENT && same != MPI_CONGRUENT) return;
    const std::string mine = messages_in_flight(user, rank);
    const std::string first = first_message(user, !mine.empty(), mine);
    if (first.empty()) return;
    throw make_error(
        "restore() called while point-to-point messages are in flight: " + first +
        ". Communication before restore() is allowed, but every message sent before it must "
        "have been received and no request may be pending when it is called (complete the "
        "setup's receives and wait for its sends first); see docs/protocol.md, 'Rules for "
        "applications'");
}

}  // namespace cairn::detail
