#include "common/buffer.hpp"

#include <cairn/cairn.hpp>

namespace cairn {

std::size_t type_size(type t) {
    switch (t) {
        case type::int8:
        case type::uint8:
        case type::byte: return 1;
        case type::int16:
        case type::uint16: return 2;
        case type::int32:
        case type::uint32:
        case type::float32: return 4;
        case type::int64:
        case type::uint64:
        case type::float64: return 8;
    }
    return 0;
}

const char* type_name(type t) {
    switch (t) {
        case type::int8: return "int8";
        case type::uint8: return "uint8";
        case type::int16: return "int16";
        case type::uint16: return "uint16";
        case type::int32: return "int32";
        case type::uint32: return "uint32";
        case type::int64: return "int64";
        case type::uint64: return "uint64";
        case type::float32: return "float32";
        case type::float64: return "float64";
        case type::byte: return "byte";
    }
    return "unknown";
}

const char* version() { return CAIRN_VERSION_STRING; }

}  // namespace cairn

namespace cairn::detail {

bool buffer_desc::contiguous() const {
    if (kind == buffer_kind::per_rank) return true;
    for (int d = 0; d < ndims; ++d) {
        if (mem_offset[d] != 0 || mem_shape[d] != extent[d]) return false;
    }
    return true;
}

}  // namespace cairn::detail
