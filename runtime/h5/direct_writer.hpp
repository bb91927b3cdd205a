// The direct writer of checkpoint files (direct_writer.cpp): rank 0 creates the HDF5 structure
// with the serial driver, every rank writes its raw data at the datasets' addresses.
#pragma once

#include "storage/direct_io.hpp"
#include "h5/channel_io.hpp"
#include "h5/checkpoint_file.hpp"

#include <mpi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cairn::detail {

/// Rank 0 runs `create` (in a file it opened alone: the structure, returning the `n` raw
/// datasets' addresses); every rank returns those addresses, or every rank throws cairn::error
/// with rank 0's failure (collective over `comm`).
std::vector<std::uint64_t> addresses_from_rank0(
    MPI_Comm comm, std::size_t n, const std::string& path,
    const std::function<std::vector<std::uint64_t>()>& create);

/// Writes `bytes` at `mem` to `base + offset` of `out` (nothing for 0 bytes). Throws
/// std::runtime_error, also when there are bytes but `base` is h5::no_storage.
void write_range(direct_file& out, std::uint64_t base, std::uint64_t offset, const void* mem,
                 std::size_t bytes);

/// Writes this rank's part of the channel log (payload, message records, counter rows) at the
/// addresses h5::create_channel() returned. Throws std::runtime_error.
void write_channel_part(direct_file& out, const h5::channel_addresses& addr,
                        const h5::channel_plan& plan, int rank);

/// True when write_checkpoint_file() uses the direct writer for `opts`: direct_io on, no
/// compression (filters need HDF5 to write the data), a little-endian host (bytes are stored as
/// in memory).
bool direct_writer_applies(const write_options& opts);

/// Collective over `comm`: writes the checkpoint as write_checkpoint_file() does, the same file,
/// but with rank 0 alone creating it and writing its metadata and tables (serial HDF5) and every
/// rank writing its blocks and its part of the channel log with positional writes (O_DIRECT
/// where the file system has it, buffered otherwise), checksummed in the same pass. The file is
/// closed, not synced (the commit syncs it). Throws cairn::error; a failure on one rank throws
/// there only, after every collective call (the caller agrees on the outcome).
void write_checkpoint_direct(const std::string& path, MPI_Comm comm, const checkpoint_meta& meta,
                             const std::vector<buffer_desc>& bufs, const channel_state& chan,
                             write_timings& tm);

}  // namespace cairn::detail
