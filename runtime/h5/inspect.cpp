// Serial inspection and verification of checkpoint files (sec2 driver, no MPI calls).
#include "storage/checksum.hpp"
#include "common/error.hpp"
#include "h5/attributes.hpp"
#include "h5/channel_io.hpp"
#include "h5/checkpoint_file.hpp"
#include "h5/dataset_io.hpp"
#include "h5/delta_file.hpp"
#include "h5/delta_format.hpp"
#include "h5/format.hpp"
#include "h5/mpio.hpp"
#include "h5/open.hpp"

#include <cstring>
#include <filesystem>

namespace cairn::detail {

namespace {

using namespace h5;

/// Describes /data/<name>; `layout` receives /cairn/layout (distributed) or /cairn/index.
dataset_summary describe(hid_t f, const std::string& name, int nranks,
                         std::vector<std::uint64_t>& table) {
    const std::string dpath = object_path(data_group, name);
    dataset ds(H5Dopen2(f, dpath.c_str(), H5P_DEFAULT), "H5Dopen2 " + dpath);
    dataset_summary s;
    s.name = name;
    const auto kind = kind_from_name(read_string_attr(ds.get(), "kind"));
    const std::string tname = read_string_attr(ds.get(), "type");
    const auto elem = type_from_name(tname);
    if (!kind || !elem) throw hdf5_error(dpath + ": unknown kind or type attribute");
    s.kind = *kind;
    s.elem = *elem;
    const auto dims = dataset_dims(ds.get());
    s.global_shape.assign(dims.begin(), dims.end());
    std::uint64_t n = 1;
    for (auto d : dims) n *= d;
    s.bytes = n * type_size(s.elem);
    const auto p = static_cast<std::size_t>(nranks);
    if (s.kind == buffer_kind::per_rank) {
        table = read_u64_dataset(f, object_path(index_group, name));
        if (table.size() != p + 1) throw hdf5_error("/cairn/index/" + name + " has the wrong size");
        for (std::size_t r = 0; r < p; ++r) s.rank_counts.push_back(table[r + 1] - table[r]);
    } else {
        table = read_u64_dataset(f, object_path(layout_group, name));
        if (table.size() != p * 6)
            throw hdf5_error("/cairn/layout/" + name + " has the wrong size");
        for (std::size_t r = 0; r < p; ++r) {
            std::uint64_t c = 1;
            for (std::size_t d = 0; d < dims.size(); ++d) c *= table[r * 6 + 3 + d];
            s.rank_counts.push_back(c);
        }
    }
    return s;
}

/// Reads the packed block of rank r into memory and returns its hash.
std::uint64_t hash_rank_block(hid_t ds, const dataset_summary& s,
                              const std::vector<std::uint64_t>& table, std::size_t r) {
    const auto nd = static_cast<int>(s.global_shape.size());
    dataspace file_space(H5Dget_space(ds), "H5Dget_space");
    std::vector<hsize_t> off;
    std::vector<hsize_t> ext;
    if (s.kind == buffer_kind::per_rank) {
        off = {table[r]};
        ext = {table[r + 1] - table[r]};
    } else {
        off = to_hsize(&table[r * 6], nd);
        ext = to_hsize(&table[r * 6 + 3], nd);
    }
    const std::uint64_t n = s.rank_counts[r];
    std::vector<unsigned char> buf(n * type_size(s.elem));
    if (n > 0) {
        check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, off.data(), nullptr, ext.data(),
                                  nullptr),
              "H5Sselect_hyperslab");
        const hsize_t count = n;
        dataspace mem = simple_space({count});
        check(
            H5Dread(ds, mem_type_of(s.elem), mem.get(), file_space.get(), H5P_DEFAULT, buf.data()),
            "H5Dread");
    }
    return hash_bytes(buf.data(), buf.size());
}

}  // namespace

checkpoint_meta read_checkpoint_meta(const std::string& path) {
    silence_errors();
    file f = open_serial(path);
    return read_meta(f.get(), path);
}

checkpoint_summary inspect_checkpoint_file(const std::string& path) {
    if (read_delta_link(path)) return inspect_delta_file(path);
    auto [f, meta] = open_with_meta(path);
    checkpoint_summary out;
    out.meta = meta;
    std::error_code ec;
    out.file_bytes = std::filesystem::file_size(path, ec);
    try {
        for (const std::string& name : member_names(f.get(), data_group)) {
            std::vector<std::uint64_t> table;
            out.datasets.push_back(describe(f.get(), name, out.meta.nranks, table));
        }
        const channel_layout ch = read_channel_layout(f.get(), out.meta.nranks);
        out.channel_messages = ch.messages();
        out.channel_bytes = ch.bytes();
    } catch (const hdf5_error& e) {
        throw corrupt(path, e.detail());
    }
    return out;
}

std::vector<std::string> verify_checkpoint_file(const std::string& path) {
    if (read_delta_link(path)) return verify_delta_file(path);
    const auto [f, meta] = open_with_meta(path);
    std::vector<std::string> problems;
    std::vector<std::string> names;
    try {
        names = member_names(f.get(), data_group);
    } catch (const hdf5_error& e) {
        throw corrupt(path, e.detail());
    }
    const auto p = static_cast<std::size_t>(meta.nranks);
    for (const std::string& name : names) {
        try {
            std::vector<std::uint64_t> table;
            const dataset_summary s = describe(f.get(), name, meta.nranks, table);
            const auto sums = read_u64_dataset(f.get(), object_path(checksum_group, name));
            if (sums.size() != p) {
                problems.push_back("'" + name + "': /cairn/checksum has the wrong size");
                continue;
            }
            const std::string dpath = object_path(data_group, name);
            dataset ds(H5Dopen2(f.get(), dpath.c_str(), H5P_DEFAULT), "H5Dopen2 " + dpath);
            for (std::size_t r = 0; r < p; ++r) {
                const std::uint64_t computed = hash_rank_block(ds.get(), s, table, r);
                if (computed != sums[r]) {
                    problems.push_back("checksum mismatch in '" + name + "' for rank " +
                                       std::to_string(r) + " (stored " + hex(sums[r]) +
                                       ", computed " + hex(computed) + ")");
                }
            }
        } catch (const hdf5_error& e) {
            problems.push_back("'" + name + "': " + e.detail());
        }
    }
    verify_channel_logs(f.get(), meta.nranks, problems);
    return problems;
}

channel_state read_channel_state(const std::string& path, int rank) {
    const auto [f, meta] = open_with_meta(path);
    if (rank < 0 || rank >= meta.nranks) {
        throw corrupt(path, "has no rank " + std::to_string(rank) + " (written by " +
                                std::to_string(meta.nranks) + " ranks)");
    }
    channel_state st;
    std::string problem;
    try {
        const channel_layout ch = read_channel_layout(f.get(), meta.nranks);
        problem = read_channel(f.get(), ch, meta.nranks, rank, H5P_DEFAULT, st);
    } catch (const hdf5_error& e) {
        problem = "channel log: " + e.detail();
    }
    if (!problem.empty()) throw corrupt(path, problem);
    return st;
}

std::vector<std::vector<std::uint64_t>> read_channel_counters(const std::string& path,
                                                              const char* which) {
    bool known = false;
    for (const char* n : counter_names) known = known || std::strcmp(n, which) == 0;
    if (!known) {
        throw make_error(std::string("unknown channel counter '") + which +
                         "' (sent_white, recv_before or logged)");
    }
    const auto [f, meta] = open_with_meta(path);
    std::vector<std::vector<std::uint64_t>> out;
    try {
        if (!read_channel_layout(f.get(), meta.nranks).present) return out;
        const std::vector<std::uint64_t> all =
            read_u64_dataset(f.get(), object_path(channel_group, which));
        const auto p = static_cast<std::size_t>(meta.nranks);
        for (std::size_t r = 0; r < p; ++r) {
            out.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(r * p),
                             all.begin() + static_cast<std::ptrdiff_t>((r + 1) * p));
        }
    } catch (const hdf5_error& e) {
        throw corrupt(path, std::string("channel counters ") + which + ": " + e.detail());
    }
    return out;
}

namespace {

/// f(dataset) for dataset `dataset_path` of the file at `path`, HDF5 errors as cairn::error.
template <class F>
auto with_dataset(const std::string& path, const std::string& dataset_path, F f) {
    silence_errors();
    file fh = open_serial(path);
    try {
        dataset ds(H5Dopen2(fh.get(), dataset_path.c_str(), H5P_DEFAULT),
                   "H5Dopen2 " + dataset_path);
        return f(ds.get());
    } catch (const hdf5_error& e) {
        throw make_error("checkpoint " + path + ": " + e.detail());
    }
}

}  // namespace

std::uint64_t dataset_file_offset(const std::string& path, const std::string& dataset_path) {
    return with_dataset(path, dataset_path, [&](hid_t ds) -> std::uint64_t {
        const haddr_t off = H5Dget_offset(ds);
        if (off == HADDR_UNDEF) {
            throw make_error("checkpoint " + path + ": dataset " + dataset_path +
                             " has no contiguous storage in the file");
        }
        return off;
    });
}

std::uint64_t dataset_storage_bytes(const std::string& path, const std::string& dataset_path) {
    return with_dataset(path, dataset_path,
                        [](hid_t ds) -> std::uint64_t { return H5Dget_storage_size(ds); });
}

}  // namespace cairn::detail
