// Serial reading of delta files for tools: chain data, summary, verification (no MPI calls).
#include "storage/checksum.hpp"
#include "common/error.hpp"
#include "h5/attributes.hpp"
#include "h5/channel_io.hpp"
#include "h5/dataset_io.hpp"
#include "h5/delta_file.hpp"
#include "h5/delta_format.hpp"
#include "h5/delta_serial.hpp"
#include "h5/format.hpp"
#include "h5/mpio.hpp"
#include "h5/open.hpp"

#include <filesystem>

namespace cairn::detail {

namespace h5 {

std::optional<delta_link> link_of(hid_t f, const checkpoint_meta& meta) {
    if (!has_attr(f, kind_attr)) return std::nullopt;
    const std::string kind = read_string_attr(f, kind_attr);
    if (kind == "full") return std::nullopt;
    if (kind != "delta") throw hdf5_error("unknown checkpoint_kind '" + kind + "'");
    delta_link l;
    l.base_epoch = read_u64_attr(f, "base_epoch");
    l.parent_epoch = read_u64_attr(f, "parent_epoch");
    l.block_size = read_u64_attr(f, "block_size");
    l.chain = read_u64_dataset(f, chain_path);
    l.nranks = meta.nranks;
    if (l.block_size == 0 || l.chain.empty() || l.chain.front() != l.base_epoch ||
        l.chain.back() != l.parent_epoch || l.parent_epoch >= meta.epoch) {
        throw hdf5_error("inconsistent chain attributes (base_epoch, parent_epoch, /cairn/chain)");
    }
    return l;
}

delta_buffer_data read_delta_buffer(hid_t f, const std::string& name, int nranks) {
    const std::string gp = object_path(delta_group, name);
    delta_buffer_data d;
    {
        group g(H5Gopen2(f, gp.c_str(), H5P_DEFAULT), "H5Gopen2 " + gp);
        d.kind = read_string_attr(g.get(), "kind");
        d.type = read_string_attr(g.get(), "type");
        if (has_attr(g.get(), "format")) d.format = read_string_attr(g.get(), "format");
    }
    d.block_index = read_u64_dataset(f, gp + "/block_index");
    d.data_index = read_u64_dataset(f, gp + "/data_index");
    d.sizes = read_u64_dataset(f, gp + "/sizes");
    d.checksum = read_u64_dataset(f, gp + "/checksum");
    d.stored = read_u64_dataset(f, gp + "/stored_checksum");
    d.blocks = read_u64_dataset(f, gp + "/blocks");
    if (d.kind == "distributed") {
        d.global_shape = read_u64_dataset(f, gp + "/global_shape");
        d.layout = read_u64_dataset(f, gp + "/layout");
    }
    const auto p = static_cast<std::size_t>(nranks);
    if (d.block_index.size() != p + 1 || d.data_index.size() != p + 1 || d.sizes.size() != p ||
        d.checksum.size() != p || d.stored.size() != p || d.block_index.back() != d.blocks.size() ||
        (d.kind == "distributed" && d.layout.size() != p * 6)) {
        throw hdf5_error(gp + ": tables have inconsistent sizes");
    }
    for (std::size_t r = 0; r < p; ++r) {
        if (d.block_index[r + 1] < d.block_index[r] || d.data_index[r + 1] < d.data_index[r]) {
            throw hdf5_error(gp + ": index tables are not increasing");
        }
    }
    dataset ds(H5Dopen2(f, (gp + "/data").c_str(), H5P_DEFAULT), "H5Dopen2 " + gp + "/data");
    const auto dims = dataset_dims(ds.get());
    if (dims.size() != 1 || dims[0] != d.data_index.back()) {
        throw hdf5_error(gp + "/data does not match /data_index");
    }
    return d;
}

std::string delta_rank_blocks(hid_t f, const std::string& name, const delta_buffer_data& d,
                              std::size_t r, std::vector<std::uint64_t>& blocks,
                              std::vector<unsigned char>& bytes) {
    blocks.assign(d.blocks.begin() + static_cast<std::ptrdiff_t>(d.block_index[r]),
                  d.blocks.begin() + static_cast<std::ptrdiff_t>(d.block_index[r + 1]));
    bytes.resize(d.data_index[r + 1] - d.data_index[r]);
    if (!bytes.empty()) {
        const std::string dp = object_path(delta_group, name) + "/data";
        dataset ds(H5Dopen2(f, dp.c_str(), H5P_DEFAULT), "H5Dopen2 " + dp);
        dataspace fs(H5Dget_space(ds.get()), "H5Dget_space");
        const hsize_t off = d.data_index[r];
        const hsize_t cnt = bytes.size();
        check(H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, &off, nullptr, &cnt, nullptr),
              "H5Sselect_hyperslab");
        dataspace ms = simple_space({cnt});
        check(H5Dread(ds.get(), H5T_NATIVE_UINT8, ms.get(), fs.get(), H5P_DEFAULT, bytes.data()),
              "H5Dread " + dp);
    }
    if (change_checksum(blocks, bytes) != d.stored[r]) {
        return "stored blocks of '" + name + "' for rank " + std::to_string(r) +
               " fail their checksum";
    }
    return "";
}

}  // namespace h5

using namespace h5;

std::optional<delta_link> read_delta_link(const std::string& path) {
    const auto [f, meta] = open_with_meta(path);
    try {
        return link_of(f.get(), meta);
    } catch (const hdf5_error& e) {
        throw corrupt(path, e.detail());
    }
}

checkpoint_summary inspect_delta_file(const std::string& path) {
    auto [f, meta] = open_with_meta(path);
    checkpoint_summary out;
    out.meta = meta;
    std::error_code ec;
    out.file_bytes = std::filesystem::file_size(path, ec);
    try {
        const auto link = link_of(f.get(), out.meta);
        if (!link) throw hdf5_error("not a delta checkpoint");
        out.kind = "delta";
        out.base_epoch = link->base_epoch;
        out.parent_epoch = link->parent_epoch;
        out.chain = link->chain;
        out.block_size = link->block_size;
        for (const std::string& name : member_names(f.get(), delta_group)) {
            const delta_buffer_data d = read_delta_buffer(f.get(), name, out.meta.nranks);
            dataset_summary s;
            s.name = name;
            const auto kind = kind_from_name(d.kind);
            const auto elem = type_from_name(d.type);
            if (!kind || !elem) throw hdf5_error(name + ": unknown kind or type attribute");
            s.kind = *kind;
            s.elem = *elem;
            for (const auto b : d.sizes) {
                s.bytes += b;
                s.rank_counts.push_back(b / type_size(s.elem));
            }
            if (s.kind == buffer_kind::distributed)
                s.global_shape = d.global_shape;
            else
                s.global_shape = {s.bytes / type_size(s.elem)};
            out.stored_bytes += d.data_index.back();
            out.stored_blocks += d.block_index.back();
            out.datasets.push_back(std::move(s));
        }
        const channel_layout ch = read_channel_layout(f.get(), out.meta.nranks);
        out.channel_messages = ch.messages();
        out.channel_bytes = ch.bytes();
    } catch (const hdf5_error& e) {
        throw corrupt(path, e.detail());
    }
    return out;
}

std::vector<std::string> verify_delta_file(const std::string& path) {
    const auto [f, meta] = open_with_meta(path);
    std::vector<std::string> problems;
    std::vector<std::string> names;
    try {
        if (!link_of(f.get(), meta)) throw hdf5_error("not a delta checkpoint");
        names = member_names(f.get(), delta_group);
    } catch (const hdf5_error& e) {
        throw corrupt(path, e.detail());
    }
    for (const std::string& name : names) {
        try {
            const delta_buffer_data d = read_delta_buffer(f.get(), name, meta.nranks);
            for (std::size_t r = 0; r < d.sizes.size(); ++r) {
                std::vector<std::uint64_t> blocks;
                std::vector<unsigned char> bytes;
                const std::string p = delta_rank_blocks(f.get(), name, d, r, blocks, bytes);
                if (!p.empty()) problems.push_back(p);
            }
        } catch (const hdf5_error& e) {
            problems.push_back("'" + name + "': " + e.detail());
        }
    }
    verify_channel_logs(f.get(), meta.nranks, problems);
    return problems;
}

}  // namespace cairn::detail
