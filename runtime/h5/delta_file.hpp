// Incremental (delta) checkpoint files: only the blocks that changed since the previous
// committed checkpoint, per rank, plus the checksum of each whole buffer after applying
// (layout: docs/file-format.md "Incremental checkpoints"). Exposes no HDF5 types.
#pragma once

#include "storage/blocks.hpp"
#include "common/buffer.hpp"
#include "common/channel.hpp"
#include "h5/checkpoint_file.hpp"

#include <mpi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cairn::detail {

/// Where a delta sits in its chain (root attributes and /cairn/chain of a delta file).
struct delta_link {
    std::uint64_t base_epoch = 0;      ///< the full checkpoint the chain starts from
    std::uint64_t parent_epoch = 0;    ///< the checkpoint this delta applies to
    std::uint64_t block_size = 0;      ///< bytes per block
    std::vector<std::uint64_t> chain;  ///< epochs to apply before this one: base, ..., parent
    int nranks = 0;                    ///< ranks that wrote the file (filled by read_delta_link)
};

/// Collective over `comm`: writes a delta file (meta, link, this rank's `changes[i]` of
/// `bufs[i]`, channel state) to `path`, synced and closed. With `direct_io` the changed blocks
/// and their indices are written with O_DIRECT where every rank can (else through MPI-IO).
/// Throws cairn::error on failure.
void write_delta_file(const std::string& path, MPI_Comm comm, const checkpoint_meta& meta,
                      const delta_link& link, const std::vector<buffer_desc>& bufs,
                      const std::vector<buffer_change>& changes, const channel_state& chan,
                      bool direct_io);

/// Collective over `comm`: reads delta file `path` and applies this rank's blocks of each
/// buffer to `state[i]` (its packed bytes before; after, when no problem), verifying the stored
/// blocks and the whole-buffer checksum. Fills `chan_out` as read_checkpoint_file does.
/// Throws mismatch_error (rank count, names, kinds, types, sizes or blocks differ from the
/// registration) or corrupt_error, on every rank, after every collective call.
checkpoint_meta apply_delta_file(const std::string& path, MPI_Comm comm,
                                 const std::vector<buffer_desc>& bufs,
                                 std::vector<std::vector<unsigned char>>& state,
                                 channel_state& chan_out);

/// Serial: the chain data of a checkpoint file, or nullopt for a full checkpoint. Throws
/// corrupt_error when the file cannot be read.
std::optional<delta_link> read_delta_link(const std::string& path);

/// Serial: summary of a delta file for tools (datasets: sizes after applying).
checkpoint_summary inspect_delta_file(const std::string& path);

/// Serial: verifies the stored blocks of every rank against their checksums (a delta alone
/// cannot verify the state after applying: see materialize_checkpoint). Returns the problems.
std::vector<std::string> verify_delta_file(const std::string& path);

/// Serial: writes to `out` a full checkpoint file equal to checkpoint `epoch` of directory
/// `dir` (its base with every link applied in order, each verified). For a full checkpoint it
/// is a copy. Throws cairn::error naming the link that fails.
void materialize_checkpoint(const std::string& dir, std::uint64_t epoch, const std::string& out);

}  // namespace cairn::detail
