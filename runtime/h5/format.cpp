#include "h5/format.hpp"

#include "common/error.hpp"

namespace cairn::detail::h5 {

hid_t file_type_of(type t) {
    switch (t) {
        case type::int8:
            return H5T_STD_I8LE;
        case type::uint8:
            return H5T_STD_U8LE;
        case type::int16:
            return H5T_STD_I16LE;
        case type::uint16:
            return H5T_STD_U16LE;
        case type::int32:
            return H5T_STD_I32LE;
        case type::uint32:
            return H5T_STD_U32LE;
        case type::int64:
            return H5T_STD_I64LE;
        case type::uint64:
            return H5T_STD_U64LE;
        case type::float32:
            return H5T_IEEE_F32LE;
        case type::float64:
            return H5T_IEEE_F64LE;
        case type::byte:
            return H5T_STD_U8LE;
    }
    throw make_error("unknown element type " + std::to_string(static_cast<int>(t)));
}

hid_t mem_type_of(type t) {
    switch (t) {
        case type::int8:
            return H5T_NATIVE_INT8;
        case type::uint8:
            return H5T_NATIVE_UINT8;
        case type::int16:
            return H5T_NATIVE_INT16;
        case type::uint16:
            return H5T_NATIVE_UINT16;
        case type::int32:
            return H5T_NATIVE_INT32;
        case type::uint32:
            return H5T_NATIVE_UINT32;
        case type::int64:
            return H5T_NATIVE_INT64;
        case type::uint64:
            return H5T_NATIVE_UINT64;
        case type::float32:
            return H5T_NATIVE_FLOAT;
        case type::float64:
            return H5T_NATIVE_DOUBLE;
        case type::byte:
            return H5T_NATIVE_UINT8;
    }
    throw make_error("unknown element type " + std::to_string(static_cast<int>(t)));
}

const char* kind_name(buffer_kind k) {
    return k == buffer_kind::distributed ? "distributed" : "per_rank";
}

const char* stored_kind_name(const buffer_desc& b) {
    if (b.object) return "object";
    if (b.variable) return "resizable";
    return kind_name(b.kind);
}

std::optional<buffer_kind> kind_from_name(const std::string& s) {
    if (s == "distributed") return buffer_kind::distributed;
    if (s == "per_rank" || s == "resizable" || s == "object") return buffer_kind::per_rank;
    return std::nullopt;
}

std::optional<type> type_from_name(const std::string& s) {
    for (int i = static_cast<int>(type::int8); i <= static_cast<int>(type::byte); ++i) {
        const auto t = static_cast<type>(i);
        if (s == type_name(t)) return t;
    }
    return std::nullopt;
}

std::string object_path(const char* grp, const std::string& name) {
    return std::string(grp) + "/" + name;
}

bool path_exists(hid_t loc, const std::string& path) {
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        const std::string prefix = path.substr(0, pos);
        const htri_t e = check(H5Lexists(loc, prefix.c_str(), H5P_DEFAULT), "H5Lexists " + prefix);
        if (e <= 0) return false;
    }
    return true;
}

dataspace simple_space(const std::vector<hsize_t>& dims) {
    return {H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
            "H5Screate_simple"};
}

std::vector<hsize_t> dataset_dims(hid_t dset) {
    dataspace space(H5Dget_space(dset), "H5Dget_space");
    const int n = check(H5Sget_simple_extent_ndims(space.get()), "H5Sget_simple_extent_ndims");
    std::vector<hsize_t> dims(static_cast<std::size_t>(n));
    if (n > 0) check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "extent dims");
    return dims;
}

std::vector<std::uint64_t> read_u64_dataset(hid_t loc, const std::string& path) {
    dataset ds(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), "H5Dopen2 " + path);
    std::size_t n = 1;
    for (hsize_t d : dataset_dims(ds.get())) n *= d;
    std::vector<std::uint64_t> v(n);
    if (n > 0) {
        check(H5Dread(ds.get(), H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
              "H5Dread " + path);
    }
    return v;
}

std::string shape_text(const std::uint64_t* v, int n) {
    std::string s = "(";
    for (int i = 0; i < n; ++i) {
        if (i > 0) s += ", ";
        s += std::to_string(v[i]);
    }
    return s + ")";
}

std::vector<hsize_t> to_hsize(const std::uint64_t* v, int n) {
    return {v, v + n};
}

}  // namespace cairn::detail::h5
