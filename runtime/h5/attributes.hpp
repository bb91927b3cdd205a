// Scalar and string attributes, and the root attributes of a checkpoint (checkpoint_meta).
#pragma once

#include "h5/checkpoint_file.hpp"
#include "h5/handles.hpp"

#include <cstdint>
#include <string>

namespace cairn::detail::h5 {

/// Writes a scalar variable-length UTF-8 string attribute.
void write_attr(hid_t obj, const char* name, const std::string& value);
/// Writes scalar numeric attributes (little-endian file types).
void write_attr(hid_t obj, const char* name, std::uint32_t value);
void write_attr(hid_t obj, const char* name, std::uint64_t value);
void write_attr(hid_t obj, const char* name, std::int32_t value);
void write_attr(hid_t obj, const char* name, std::int64_t value);
void write_attr(hid_t obj, const char* name, double value);

/// True when `obj` has an attribute `name`.
bool has_attr(hid_t obj, const char* name);

/// Reads a string attribute (variable- or fixed-length; trailing NULs/spaces dropped).
std::string read_string_attr(hid_t obj, const char* name);
/// Reads a scalar numeric attribute, converted by HDF5 to the requested type.
std::uint64_t read_u64_attr(hid_t obj, const char* name);
std::int64_t read_i64_attr(hid_t obj, const char* name);
double read_f64_attr(hid_t obj, const char* name);

/// Writes every root attribute of `meta` to the root group of `file`.
void write_meta(hid_t fid, const checkpoint_meta& meta);

/// Reads and checks the root attributes (magic, format_version, all fields). Throws
/// corrupt_error naming `path` and the reason.
checkpoint_meta read_meta(hid_t fid, const std::string& path);

/// Builds a corrupt_error "checkpoint <path>: <why>" with rank/host context.
corrupt_error corrupt(const std::string& path, const std::string& why);

}  // namespace cairn::detail::h5
