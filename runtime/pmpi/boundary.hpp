// MPI use the snapshot cannot make consistent, noticed by the wrappers as it happens: dynamic
// processes, nonblocking (and neighbourhood) collectives pending, RMA epochs open, nonblocking
// and split collective MPI-IO of the application pending. protocol::cut()
// asks refusal() and aborts the snapshot with its reason (both modes).
#pragma once

#include <mpi.h>

#include <atomic>
#include <cstddef>
#include <string>

namespace cairn::detail::boundary {

/// A call that connects this job to processes outside MPI_COMM_WORLD (MPI_Comm_spawn, ...):
/// every later snapshot is refused.
void note_dynamic(const char* call);

/// A nonblocking collective started by the application (its request, the call's name).
void collective_started(MPI_Request r, const char* call);
/// A nonblocking MPI-IO operation started by the application (MPI_File_iwrite_at, ...): pending
/// until a completion call sees its request done, as a nonblocking collective.
void io_started(MPI_Request r, const char* call);
/// The request completed or was freed (no effect if it is not a collective's or an I/O's).
void collective_done(MPI_Request r);
/// Nonblocking collectives and I/O operations pending (a cheap test for the completion wrappers).
extern std::atomic<std::size_t> collectives_pending;

/// A split collective MPI-IO operation on `fh` begun (`delta` 1, `call` names it) or ended (-1).
void split_io(MPI_File fh, const char* call, int delta);

/// RMA: an access or exposure epoch opened or closed on `win` (`call` names it).
void rma_epoch(MPI_Win win, const char* call, int delta);
/// RMA: a communication call on `win` to `target` (completed only by a later synchronisation).
void rma_operation(MPI_Win win, int target, const char* call);
/// RMA: a synchronisation that completes the operations issued so far on `win` to `target`
/// (MPI_PROC_NULL: to every target).
void rma_synchronised(MPI_Win win, int target);
/// The window is freed.
void rma_freed(MPI_Win win);

/// Why a snapshot cut now would not be consistent on this rank ("" if nothing is known),
/// with what to do about it.
std::string refusal();

}  // namespace cairn::detail::boundary
