// The check restore() makes in non-blocking mode: no point-to-point message of the application
// may be in flight when it is called (docs/protocol.md, "Rules for applications").
#pragma once

#include <mpi.h>

#include <string>

namespace cairn::detail {

/// Collective over `world` (cairn's duplicate of MPI_COMM_WORLD, used with PMPI calls only):
/// exchanges the per-peer message counts of the protocol's current color and counts this rank's
/// pending non-persistent application requests (a started persistent request is not seen: the
/// request table keeps persistent requests whether started or not). Returns "" when nothing is in flight towards or from this rank,
/// else what is (naming the ranks and counts). Call it only while the protocol is active.
std::string messages_in_flight(MPI_Comm world, int rank);

/// restore() in non-blocking mode, collective over `user` (cairn's duplicate of init()'s
/// communicator): throws cairn::error on every rank if messages_in_flight() finds anything on
/// any rank. Does nothing when the protocol is off or `user` is not congruent with
/// MPI_COMM_WORLD (the counters are by world rank).
void require_nothing_in_flight(MPI_Comm user, int rank);

}  // namespace cairn::detail
