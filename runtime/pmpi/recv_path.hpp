// The receive side shared by Recv, Mrecv and the probes.
#pragma once

#include "comm_ids.hpp"

#include <mpi.h>

namespace cairn::detail {

/// Receives (blocking) into the application's buffer, reading and stripping the header. When
/// `message` is non-null it is a matched message (MPI_Mrecv); else a receive on (source, tag).
/// `ci` is info_of(comm) when the caller has it already.
int receive_blocking(void* buf, int count, MPI_Datatype dt, int source, int tag, MPI_Comm comm,
                     MPI_Message* message, MPI_Status* st, const comm_info* ci = nullptr);

/// Delivers a queued message matching (comm, source, tag) if there is one; returns true then.
bool receive_from_queue(void* buf, int count, MPI_Datatype dt, int source, int tag, MPI_Comm comm,
                        MPI_Status* st, int* rc);

/// Fixes a status produced by a probe of a message that carries a header.
void fix_probe_status(MPI_Status* st);

}  // namespace cairn::detail
