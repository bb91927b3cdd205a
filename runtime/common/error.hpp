// Error construction with rank/host context.
#pragma once

#include <cairn/cairn.hpp>

#include <string>

namespace cairn::detail {

/// "rank R on HOST" for the calling process (works before MPI_Init and after MPI_Finalize).
std::string where();

/// Builds a cairn::error whose message is "rank R on HOST: <what>".
cairn::error make_error(const std::string& what);

/// Text for an MPI error code (MPI_Error_string).
std::string mpi_error_text(int code);

/// Throws make_error(what + ": " + mpi_error_text(code)) unless code == MPI_SUCCESS.
void check_mpi(int code, const char* what);

}  // namespace cairn::detail
