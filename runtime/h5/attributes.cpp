#include "h5/attributes.hpp"

#include "common/error.hpp"
#include "h5/format.hpp"

#include <vector>

namespace cairn::detail::h5 {

namespace {

void write_scalar(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, const void* v) {
    const std::string what = std::string("attribute ") + name;
    dataspace space(H5Screate(H5S_SCALAR), "H5Screate");
    attribute a(H5Acreate2(obj, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                "H5Acreate2 " + what);
    check(H5Awrite(a.get(), mem_type, v), "H5Awrite " + what);
}

template <class T>
T read_scalar(hid_t obj, const char* name, hid_t mem_type) {
    const std::string what = std::string("attribute ") + name;
    attribute a(H5Aopen(obj, name, H5P_DEFAULT), "H5Aopen " + what);
    dataspace space(H5Aget_space(a.get()), "H5Aget_space " + what);
    if (check(H5Sget_simple_extent_npoints(space.get()), "npoints") != 1) {
        throw hdf5_error(what + " is not a scalar");
    }
    T v{};
    check(H5Aread(a.get(), mem_type, &v), "H5Aread " + what);
    return v;
}

}  // namespace

void write_attr(hid_t obj, const char* name, const std::string& value) {
    datatype t(H5Tcopy(H5T_C_S1), "H5Tcopy");
    check(H5Tset_size(t.get(), H5T_VARIABLE), "H5Tset_size");
    check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "H5Tset_cset");
    const char* p = value.c_str();
    write_scalar(obj, name, t.get(), t.get(), &p);
}

void write_attr(hid_t obj, const char* name, std::uint32_t v) {
    write_scalar(obj, name, H5T_STD_U32LE, H5T_NATIVE_UINT32, &v);
}
void write_attr(hid_t obj, const char* name, std::uint64_t v) {
    write_scalar(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}
void write_attr(hid_t obj, const char* name, std::int32_t v) {
    write_scalar(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &v);
}
void write_attr(hid_t obj, const char* name, std::int64_t v) {
    write_scalar(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}
void write_attr(hid_t obj, const char* name, double v) {
    write_scalar(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

bool has_attr(hid_t obj, const char* name) {
    return check(H5Aexists(obj, name), std::string("H5Aexists ") + name) > 0;
}

std::string read_string_attr(hid_t obj, const char* name) {
    const std::string what = std::string("attribute ") + name;
    attribute a(H5Aopen(obj, name, H5P_DEFAULT), "H5Aopen " + what);
    datatype ft(H5Aget_type(a.get()), "H5Aget_type " + what);
    if (check(H5Tget_class(ft.get()), "H5Tget_class") != H5T_STRING) {
        throw hdf5_error(what + " is not a string");
    }
    dataspace space(H5Aget_space(a.get()), "H5Aget_space " + what);
    if (check(H5Sget_simple_extent_npoints(space.get()), "npoints") != 1) {
        throw hdf5_error(what + " is not a scalar");
    }
    std::string out;
    if (check(H5Tis_variable_str(ft.get()), "H5Tis_variable_str") > 0) {
        datatype mt(H5Tcopy(H5T_C_S1), "H5Tcopy");
        check(H5Tset_size(mt.get(), H5T_VARIABLE), "H5Tset_size");
        check(H5Tset_cset(mt.get(), H5Tget_cset(ft.get())), "H5Tset_cset");
        char* p = nullptr;
        check(H5Aread(a.get(), mt.get(), &p), "H5Aread " + what);
        if (p != nullptr) {
            out = p;
            H5free_memory(p);
        }
    } else {
        const std::size_t n = H5Tget_size(ft.get());
        if (n == 0) throw_hdf5_error("H5Tget_size " + what);
        datatype mt(H5Tcopy(ft.get()), "H5Tcopy");
        std::vector<char> buf(n + 1, '\0');
        check(H5Aread(a.get(), mt.get(), buf.data()), "H5Aread " + what);
        out.assign(buf.data(), n);
        const auto end = out.find_last_not_of(std::string(" \0", 2));
        out.erase(end == std::string::npos ? 0 : end + 1);
        out = out.c_str();  // stop at an embedded NUL (H5T_STR_NULLTERM)
    }
    return out;
}

std::uint64_t read_u64_attr(hid_t obj, const char* name) {
    return read_scalar<std::uint64_t>(obj, name, H5T_NATIVE_UINT64);
}
std::int64_t read_i64_attr(hid_t obj, const char* name) {
    return read_scalar<std::int64_t>(obj, name, H5T_NATIVE_INT64);
}
double read_f64_attr(hid_t obj, const char* name) {
    return read_scalar<double>(obj, name, H5T_NATIVE_DOUBLE);
}

void write_meta(hid_t fid, const checkpoint_meta& m) {
    write_attr(fid, "cairn_format", std::string(magic));
    write_attr(fid, "format_version", m.format_version);
    write_attr(fid, "cairn_version", m.cairn_version);
    write_attr(fid, "epoch", m.epoch);
    write_attr(fid, "safe_point", m.safe_point);
    write_attr(fid, "nranks", static_cast<std::int32_t>(m.nranks));
    write_attr(fid, "app_name", m.app_name);
    write_attr(fid, "run_key", m.run_key);
    write_attr(fid, "time_unix", m.time_unix);
    write_attr(fid, "time_iso", m.time_iso);
    write_attr(fid, "job_id", m.job_id);
    write_attr(fid, "checksum_algorithm", m.checksum_algorithm);
    write_attr(fid, "interval_delta", m.interval_delta);
    write_attr(fid, "interval_mtbf", m.interval_mtbf);
    write_attr(fid, "interval_t", m.interval_t);
    write_attr(fid, "color", m.color);
    write_attr(fid, "stat_bytes", m.stats.bytes);
    write_attr(fid, "stat_stall_seconds", m.stats.stall_seconds);
    write_attr(fid, "stat_write_seconds", m.stats.write_seconds);
    write_attr(fid, "stat_messages_logged", m.stats.messages_logged);
    write_attr(fid, "stat_aborted_epochs", m.stats.aborted_epochs);
    write_attr(fid, "stat_staging_waits", m.stats.staging_waits);
    write_attr(fid, "stat_nonblocking", static_cast<std::int32_t>(m.stats.nonblocking));
}

namespace {

/// Optional attributes (added after the first files of format 1): missing reads as 0.
std::uint64_t optional_u64(hid_t fid, const char* name) {
    return has_attr(fid, name) ? read_u64_attr(fid, name) : 0;
}
double optional_f64(hid_t fid, const char* name) {
    return has_attr(fid, name) ? read_f64_attr(fid, name) : 0.0;
}

void read_optional(hid_t fid, checkpoint_meta& m, const char*& current) {
    current = "color";
    m.color = optional_u64(fid, current);
    current = "stat_bytes";
    m.stats.bytes = optional_u64(fid, current);
    current = "stat_stall_seconds";
    m.stats.stall_seconds = optional_f64(fid, current);
    current = "stat_write_seconds";
    m.stats.write_seconds = optional_f64(fid, current);
    current = "stat_messages_logged";
    m.stats.messages_logged = optional_u64(fid, current);
    current = "stat_aborted_epochs";
    m.stats.aborted_epochs = optional_u64(fid, current);
    current = "stat_staging_waits";
    m.stats.staging_waits = optional_u64(fid, current);
    current = "run_key";
    m.has_run_key = has_attr(fid, current);
    if (m.has_run_key) m.run_key = read_string_attr(fid, current);
    current = "stat_nonblocking";
    m.stats.nonblocking =
        has_attr(fid, current) ? static_cast<int>(read_i64_attr(fid, current)) : 0;
}

}  // namespace

corrupt_error corrupt(const std::string& path, const std::string& why) {
    return corrupt_error(make_error("checkpoint " + path + ": " + why).what());
}

checkpoint_meta read_meta(hid_t fid, const std::string& path) {
    const char* current = "cairn_format";
    try {
        if (!has_attr(fid, "cairn_format")) {
            throw corrupt(path, "not a cairn checkpoint (no cairn_format attribute)");
        }
        const std::string fmt = read_string_attr(fid, "cairn_format");
        if (fmt != magic) {
            throw corrupt(path, "not a cairn checkpoint (cairn_format is '" + fmt + "')");
        }
        static constexpr const char* required[] = {
            "format_version", "cairn_version", "epoch",     "safe_point", "nranks",
            "app_name",       "time_unix",     "time_iso",  "job_id",     "checksum_algorithm",
            "interval_delta", "interval_mtbf", "interval_t"};
        // format_version first, so a newer file is reported as such and not as incomplete.
        for (const char* name : required) {
            current = name;
            if (!has_attr(fid, name)) throw corrupt(path, std::string("missing attribute ") + name);
            if (name != required[0]) continue;
            const std::uint64_t v = read_u64_attr(fid, name);
            if (v > file_format_version) {
                throw corrupt(path, "format_version " + std::to_string(v) +
                                        " is newer than this cairn (" +
                                        std::to_string(file_format_version) + ")");
            }
            if (v == 0) throw corrupt(path, "format_version 0 is invalid");
        }
        checkpoint_meta m;
        current = "format_version";
        m.format_version = static_cast<std::uint32_t>(read_u64_attr(fid, current));
        current = "cairn_version";
        m.cairn_version = read_string_attr(fid, current);
        current = "epoch";
        m.epoch = read_u64_attr(fid, current);
        current = "safe_point";
        m.safe_point = read_u64_attr(fid, current);
        current = "nranks";
        m.nranks = static_cast<int>(read_i64_attr(fid, current));
        current = "app_name";
        m.app_name = read_string_attr(fid, current);
        current = "time_unix";
        m.time_unix = read_i64_attr(fid, current);
        current = "time_iso";
        m.time_iso = read_string_attr(fid, current);
        current = "job_id";
        m.job_id = read_string_attr(fid, current);
        current = "checksum_algorithm";
        m.checksum_algorithm = read_string_attr(fid, current);
        current = "interval_delta";
        m.interval_delta = read_f64_attr(fid, current);
        current = "interval_mtbf";
        m.interval_mtbf = read_f64_attr(fid, current);
        current = "interval_t";
        m.interval_t = read_f64_attr(fid, current);
        read_optional(fid, m, current);
        if (m.nranks <= 0)
            throw corrupt(path, "nranks " + std::to_string(m.nranks) + " is invalid");
        return m;
    } catch (const hdf5_error& e) {
        throw corrupt(path,
                      std::string("cannot read root attribute ") + current + ": " + e.detail());
    }
}

}  // namespace cairn::detail::h5
