// The channel log of a checkpoint (/cairn/channel and /cairn/checksum_channel): every rank's
// logged messages, their payload and the per-peer counters (layout: docs/file-format.md).
#pragma once

#include "common/channel.hpp"
#include "h5/dataset_io.hpp"

#include <mpi.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cairn::detail::h5 {

inline constexpr const char* channel_group = "/cairn/channel";
inline constexpr const char* channel_checksum_path = "/cairn/checksum_channel";
/// Fields of one row of /cairn/channel/messages.
inline constexpr std::size_t message_fields = 6;
/// Names of the counter matrices, in the order they are hashed.
inline constexpr std::array<const char*, 3> counter_names = {"sent_white", "recv_before", "logged"};

/// This rank's channel data packed for writing, plus every rank's sizes and checksums.
struct channel_plan {
    std::vector<std::uint64_t> records;              ///< [messages][6] of this rank, as stored
    std::vector<unsigned char> payload;              ///< this rank's payloads concatenated
    std::array<std::vector<std::uint64_t>, 3> rows;  ///< counter rows [P] (zeros if none)
    std::vector<std::uint64_t> message_index;        ///< [P+1]
    std::vector<std::uint64_t> payload_index;        ///< [P+1]
    std::vector<std::uint64_t> checksums;            ///< [P]
};

/// Checksum of one rank's channel data: XXH3-64 of its message records (6 little-endian uint64
/// each), then its payload bytes, then its rows of sent_white, recv_before and logged.
std::uint64_t channel_checksum(const std::vector<std::uint64_t>& records,
                               const std::vector<unsigned char>& payload,
                               const std::array<std::vector<std::uint64_t>, 3>& rows);

/// Collective over `comm`, before any HDF5 call: packs `chan` and gathers every rank's sizes and
/// checksums. Throws cairn::error identically on every rank when a counter vector has neither 0
/// nor P entries on some rank.
channel_plan plan_channel(MPI_Comm comm, const channel_state& chan);

/// Collective: creates /cairn/channel and /cairn/checksum_channel and writes this rank's part
/// (independent I/O: ranks with nothing to write do not write).
void write_channel(hid_t fid, const channel_plan& plan, int rank, hid_t dcpl,
                   deferred_failure& failure);

/// Addresses of the channel log's raw datasets in the file: payload, messages and the three
/// counter matrices (counter_names order); `no_storage` for a dataset without elements.
using channel_addresses = std::array<std::uint64_t, 5>;

/// Marks a dataset without storage (no elements) in address lists.
inline constexpr std::uint64_t no_storage = ~std::uint64_t{0};

/// Rank 0 of the direct writers, alone in a file opened with the serial driver: creates
/// /cairn/channel and /cairn/checksum_channel, writes the index and checksum tables, and returns
/// where each rank's raw parts go (write_channel_part()).
channel_addresses create_channel(hid_t fid, const channel_plan& plan, hid_t dcpl,
                                 deferred_failure& failure);

/// What a reader knows about the channel log before reading data (same on every rank).
struct channel_layout {
    bool present = false;                      ///< the file has /cairn/channel
    std::vector<std::uint64_t> message_index;  ///< [P+1]
    std::vector<std::uint64_t> payload_index;  ///< [P+1]
    std::vector<std::uint64_t> checksums;      ///< [P]
    /// Logged messages over all ranks.
    [[nodiscard]] std::uint64_t messages() const {
        return message_index.empty() ? 0 : message_index.back();
    }
    /// Payload bytes over all ranks.
    [[nodiscard]] std::uint64_t bytes() const {
        return payload_index.empty() ? 0 : payload_index.back();
    }
};

/// Reads the channel tables of a file written by `nranks` ranks. Throws hdf5_error when they
/// are inconsistent.
channel_layout read_channel_layout(hid_t fid, int nranks);

/// Reads rank `rank`'s channel state with transfer list `dxpl` (collective: every rank of the
/// file's communicator calls it; serial: H5P_DEFAULT) and verifies its checksum. Never leaves
/// the collective sequence early; returns the problem ("" = none).
std::string read_channel(hid_t fid, const channel_layout& layout, int nranks, int rank, hid_t dxpl,
                         channel_state& out);

/// Verifies every rank's channel log in `fid` (written by `nranks` ranks) and appends each
/// problem found to `problems` (the verifiers of full and delta files).
void verify_channel_logs(hid_t fid, int nranks, std::vector<std::string>& problems);

}  // namespace cairn::detail::h5
