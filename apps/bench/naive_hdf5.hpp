// The shared-HDF5-file baseline of cairn_bench (naive_hdf5.cpp).
#pragma once

#include <mpi.h>

#include <string>

namespace bench {

/// Collective over `comm`: writes every rank's `count` doubles at element `offset` of a 1-D
/// dataset of `total` elements in a new HDF5 file `path` (MPI-IO driver, independent transfers),
/// flushes it to disk and closes it, as a user would by hand. Throws std::runtime_error.
void write_shared_hdf5(const std::string& path, MPI_Comm comm, const double* data,
                       unsigned long long count, unsigned long long offset,
                       unsigned long long total);

}  // namespace bench
