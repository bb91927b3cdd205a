// The interposition layer's life cycle: switched on at MPI_Init when the mode is non-blocking.
#pragma once

#include <mpi.h>

#include <string>

namespace cairn::detail {

/// Called from the MPI_Init wrappers: reads CAIRN_MODE (environment, or the CAIRN_CONFIG file)
/// and activates the protocol (both modes; non-blocking only at MPI_THREAD_MULTIPLE). `required` is the thread level the
/// application asked for: below MPI_THREAD_MULTIPLE, messages are counted without a lock.
void layer_init(int provided, int required);

/// Called from the MPI_Finalize wrapper.
void layer_finalize();

/// The Fortran MPI bindings library loaded in this process ("" if none): point-to-point calls
/// made through it do not pass through cairn's wrappers.
std::string fortran_bindings_loaded();

/// True after layer_init().
bool layer_initialized();

/// True if the protocol is active for the non-blocking mode.
bool layer_nonblocking();

/// True if messages carry headers (the protocol is active, in either mode).
bool layer_active();

/// The thread level MPI actually provided.
int layer_thread_level();

/// The thread level the application was told it has: what it asked for, at most what MPI
/// provided (MPI_Init_thread and MPI_Query_thread answer this).
int layer_app_thread_level();

/// Mode requested in the environment ("blocking" or "nonblocking"; "blocking-plain" for
/// blocking with interpose=off; "" when unreadable or nonblocking with interpose=off).
std::string requested_mode();

}  // namespace cairn::detail
