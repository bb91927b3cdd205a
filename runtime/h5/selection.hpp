// Memory and file selections of one rank's block, shared by the writer and the reader.
#pragma once

#include "common/buffer.hpp"
#include "h5/handles.hpp"

#include <cstdint>
#include <vector>

namespace cairn::detail::h5 {

/// Shape of the local memory of a distributed buffer (extent where mem_shape is unset).
std::vector<hsize_t> memory_shape(const buffer_desc& b);

/// The pair of dataspaces for one H5Dread/H5Dwrite of this rank's block.
struct block_selection {
    dataspace mem;   ///< hyperslab of the local memory (halo skipped)
    dataspace file;  ///< hyperslab of the dataset
};

/// Selects this rank's block of dataset `dset`: distributed = b.offset/b.extent in the file and
/// b.mem_offset/b.extent in memory; per_rank = elements [start, start + b.count). A rank with no
/// elements selects none on both sides (it must still join the collective call).
block_selection select_block(hid_t dset, const buffer_desc& b, std::uint64_t start);

/// Selects nothing (for ranks that only join a collective transfer).
block_selection select_nothing(hid_t dset);

/// Collective H5Dwrite (write = true) or H5Dread of this rank's block of `dset` with `dxpl`.
/// Never leaves the collective sequence early: if the selection cannot be built the rank still
/// joins the transfer with nothing selected. Returns the failure text ("" = success).
std::string transfer_block(bool write, hid_t dset, const buffer_desc& b, std::uint64_t start,
                           hid_t dxpl);

}  // namespace cairn::detail::h5
