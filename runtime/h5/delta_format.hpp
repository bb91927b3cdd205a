// Names in delta files, shared by the delta writer, reader and tools.
#pragma once

namespace cairn::detail::h5 {

inline constexpr const char* delta_group = "/delta";
inline constexpr const char* chain_path = "/cairn/chain";
inline constexpr const char* kind_attr = "checkpoint_kind";  ///< "delta" (absent: full)

}  // namespace cairn::detail::h5
