// The parts of a full checkpoint file that both writers create the same way (layout:
// docs/file-format.md): the groups, each buffer's data dataset with its attributes, and the table
// that says where each rank's block lies.
#pragma once

#include "common/buffer.hpp"
#include "h5/dataset_io.hpp"
#include "h5/gather.hpp"
#include "h5/handles.hpp"

#include <vector>

namespace cairn::detail::h5 {

/// Creates /data, /cairn and its index, layout and checksum groups.
void create_file_groups(hid_t fid);

/// Shape of buffer `b`'s dataset: its global shape, or the sum of every rank's count.
std::vector<hsize_t> stored_dims(const buffer_desc& b, const block_table& t);

/// Creates /data/<name> of shape `dims` with creation list `dcpl` and its attributes (kind,
/// format of an object, type).
dataset create_buffer_dataset(hid_t fid, const buffer_desc& b, const std::vector<hsize_t>& dims,
                              hid_t dcpl);

/// Writes where each rank's block lies (rank 0 writes): the index table of a per-rank buffer
/// (prefix sums of the counts) or the layout table of a distributed one.
void write_block_positions(hid_t fid, const buffer_desc& b, const block_table& t, int rank,
                           hid_t dcpl, deferred_failure& failure);

}  // namespace cairn::detail::h5
