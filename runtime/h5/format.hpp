// Names and type mappings of the checkpoint file layout (format_version 1, docs/file-format.md),
// and small dataspace/dataset helpers shared by the writer, the reader and the tools.
#pragma once

#include "common/buffer.hpp"
#include "h5/handles.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cairn::detail::h5 {

inline constexpr const char* magic = "cairn-checkpoint";  ///< root attribute cairn_format
inline constexpr const char* data_group = "/data";
inline constexpr const char* cairn_group = "/cairn";
inline constexpr const char* index_group = "/cairn/index";
inline constexpr const char* layout_group = "/cairn/layout";
inline constexpr const char* checksum_group = "/cairn/checksum";

/// Little-endian file type of an element type (byte is stored as uint8).
hid_t file_type_of(type t);
/// Native memory type of an element type.
hid_t mem_type_of(type t);

/// "distributed" | "per_rank".
const char* kind_name(buffer_kind k);
/// The "kind" attribute stored for `b`: kind_name(), or "resizable" / "object" (per-rank layout).
const char* stored_kind_name(const buffer_desc& b);
/// Inverse of kind_name() ("resizable" and "object" are per_rank).
std::optional<buffer_kind> kind_from_name(const std::string& s);
/// Inverse of type_name().
std::optional<type> type_from_name(const std::string& s);

/// "<group>/<name>".
std::string object_path(const char* grp, const std::string& name);

/// True when every component of the absolute `path` exists (H5Lexists on each prefix).
bool path_exists(hid_t loc, const std::string& path);

/// A simple dataspace of `dims` (rank 1..3; a zero dimension is allowed).
dataspace simple_space(const std::vector<hsize_t>& dims);

/// Current dimensions of a dataset.
std::vector<hsize_t> dataset_dims(hid_t dset);

/// Reads a whole uint64 dataset (independent I/O; for the small /cairn tables).
std::vector<std::uint64_t> read_u64_dataset(hid_t loc, const std::string& path);

/// "(a, b, c)" of the first n values.
std::string shape_text(const std::uint64_t* v, int n);

/// Global dimensions of a buffer's dataset: distributed = global shape, per_rank = {total}.
std::vector<hsize_t> to_hsize(const std::uint64_t* v, int n);

}  // namespace cairn::detail::h5
