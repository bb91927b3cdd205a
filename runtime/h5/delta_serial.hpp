// Serial helpers shared by the delta tools (inspect, verify, materialise).
#pragma once

#include "h5/checkpoint_file.hpp"
#include "h5/delta_file.hpp"
#include "h5/handles.hpp"
#include "h5/open.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cairn::detail::h5 {

/// The chain data of an open file (nullopt for a full checkpoint). Throws hdf5_error.
std::optional<delta_link> link_of(hid_t f, const checkpoint_meta& meta);

/// Every table of /delta/<name> (not the changed bytes).
struct delta_buffer_data {
    std::string kind, type, format;
    std::vector<std::uint64_t> block_index, data_index, sizes, checksum, stored, blocks;
    std::vector<std::uint64_t> global_shape, layout;  // distributed only
};

/// Reads and checks the tables of /delta/<name>. Throws hdf5_error.
delta_buffer_data read_delta_buffer(hid_t f, const std::string& name, int nranks);

/// Rank r's stored blocks and bytes of one buffer; returns "" or the checksum failure.
std::string delta_rank_blocks(hid_t f, const std::string& name, const delta_buffer_data& d,
                              std::size_t r, std::vector<std::uint64_t>& blocks,
                              std::vector<unsigned char>& bytes);

}  // namespace cairn::detail::h5
