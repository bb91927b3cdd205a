#include "core/restore_check.hpp"

#include "common/error.hpp"
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

}  // namespace cairn::detail
