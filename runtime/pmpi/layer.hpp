// The interposition layer's life cycle: switched on at MPI_Init when the mode is non-blocking.
#pragma once

#include <mpi.h>

#include <string>

namespace cairn::detail {

/// Called from the MPI_Init wrappers: reads CAIRN_MODE (environment, or the CAIRN_CONFIG file)
/// and activates the protocol in non-blocking mode.
void layer_init(int provided);

/// Called from the MPI_Finalize wrapper.
void layer_finalize();

/// True after layer_init().
bool layer_initialized();

/// True if messages carry headers (non-blocking mode active).
bool layer_nonblocking();

/// The thread level MPI actually provided.
int layer_thread_level();

/// Mode requested in the environment ("blocking" or "nonblocking"; "" when unreadable).
std::string requested_mode();

}  // namespace cairn::detail
