// Stable ids for the application's communicators (the same in a restarted run, so that logged
// messages find their communicator again) and rank translation to MPI_COMM_WORLD.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <vector>

namespace cairn::detail {

/// What cairn keeps per application communicator (as an MPI attribute).
struct comm_info {
    std::uint32_t id = 0;           ///< 0 = MPI_COMM_WORLD, 1 = MPI_COMM_SELF, then creation order
    bool inter = false;             ///< intercommunicator (ranks name the remote group)
    /// Some peer is not in MPI_COMM_WORLD (MPI_Comm_spawn, _connect/_accept, _join): its
    /// traffic carries no header and is outside the snapshot (checkpoints are then refused).
    bool outside = false;
    std::vector<int> world_rank;    ///< [peer rank in comm] -> rank in MPI_COMM_WORLD
};

/// Creates the attribute key and names WORLD and SELF. Call once after MPI is initialised.
void comm_ids_init();

/// Releases the key (before MPI_Finalize).
void comm_ids_finalize();

/// Info of MPI_COMM_WORLD and MPI_COMM_SELF (set by comm_ids_init()).
extern comm_info world_comm_info;
extern comm_info self_comm_info;

/// Info for a communicator other than WORLD and SELF (its MPI attribute), created lazily.
const comm_info& info_of_attribute(MPI_Comm comm);

/// Info for `comm`, created lazily (lazy ids have the top bit set and are not stable). Inline
/// for WORLD and SELF: the per-message path of most programs.
inline const comm_info& info_of(MPI_Comm comm) {
    if (comm == MPI_COMM_WORLD) return world_comm_info;
    if (comm == MPI_COMM_SELF) return self_comm_info;
    return info_of_attribute(comm);
}

/// Gives a newly created communicator the next creation-order id (no-op for MPI_COMM_NULL).
void register_new_comm(MPI_Comm comm);

/// Finds a communicator by id among those cairn has seen (MPI_COMM_NULL if none).
MPI_Comm comm_by_id(std::uint32_t id);

/// All communicators with ids (for pulling messages), WORLD first.
std::vector<MPI_Comm> known_comms();

}  // namespace cairn::detail
