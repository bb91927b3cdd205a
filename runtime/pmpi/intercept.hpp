// Common helpers of the MPI_* wrappers.
#pragma once

#include "comm_ids.hpp"
#include "internal.hpp"
#include "protocol.hpp"

#include <mpi.h>

namespace cairn::detail {

/// True if a point-to-point call on `comm` with `peer` must go through the protocol.
inline bool intercept(MPI_Comm comm, int peer) {
    if (!protocol::get().active() || in_internal_scope()) return false;
    if (peer == MPI_PROC_NULL || comm == MPI_COMM_NULL) return false;
    return !info_of(comm).outside;
}

/// The communicator's info if a point-to-point call on `comm` with `peer` must go through the
/// protocol, else nullptr (intercept() and info_of() in one, for the per-message paths).
inline const comm_info* intercepted(MPI_Comm comm, int peer) {
    if (!protocol::get().active() || in_internal_scope()) return nullptr;
    if (peer == MPI_PROC_NULL || comm == MPI_COMM_NULL) return nullptr;
    const comm_info& ci = info_of(comm);
    return ci.outside ? nullptr : &ci;
}

/// World rank of `rank` in the communicator described by `ci` (-1 if unknown).
inline int world_of(const comm_info& ci, int rank) {
    if (rank < 0 || static_cast<std::size_t>(rank) >= ci.world_rank.size()) return -1;
    return ci.world_rank[static_cast<std::size_t>(rank)];
}

/// World rank of `rank` in `comm` (-1 if unknown).
inline int world_of(MPI_Comm comm, int rank) {
    const comm_info& ci = info_of(comm);
    if (rank < 0 || static_cast<std::size_t>(rank) >= ci.world_rank.size()) return -1;
    return ci.world_rank[static_cast<std::size_t>(rank)];
}

/// Which send call.
enum class send_mode { standard, sync, ready, buffered };

}  // namespace cairn::detail
