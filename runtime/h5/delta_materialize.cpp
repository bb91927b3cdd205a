// Serial: a full checkpoint file equal to a delta chain's state (base copied, every link
// applied per rank and verified, tables and root attributes rewritten).
#include "storage/checksum.hpp"
#include "common/error.hpp"
#include "storage/fsutil.hpp"
#include "h5/attributes.hpp"
#include "h5/dataset_io.hpp"
#include "h5/delta_file.hpp"
#include "h5/delta_format.hpp"
#include "h5/delta_serial.hpp"
#include "h5/format.hpp"
#include "storage/naming.hpp"

#include <filesystem>

namespace cairn::detail {

namespace {

using namespace h5;

/// One link of the chain, open.
struct open_link {
    std::string path;
    file f;
    checkpoint_meta meta;
    delta_link link;
};

/// Selection of rank r's packed block in a full file's dataset.
dataspace rank_space(hid_t ds, bool distributed, const std::vector<std::uint64_t>& table,
                     std::size_t r, int nd) {
    dataspace fs(H5Dget_space(ds), "H5Dget_space");
    std::vector<hsize_t> off;
    std::vector<hsize_t> ext;
    if (distributed) {
        off = to_hsize(&table[r * 6], nd);
        ext = to_hsize(&table[r * 6 + 3], nd);
    } else {
        off = {table[r]};
        ext = {table[r + 1] - table[r]};
    }
    check(H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, off.data(), nullptr, ext.data(), nullptr),
          "H5Sselect_hyperslab");
    return fs;
}

/// Overwrites the uint64 dataset `path` (same size) with `v`.
void rewrite_u64(hid_t f, const std::string& path, const std::vector<std::uint64_t>& v) {
    dataset ds(H5Dopen2(f, path.c_str(), H5P_DEFAULT), "H5Dopen2 " + path);
    if (!v.empty()) {
        check(H5Dwrite(ds.get(), H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
              "H5Dwrite " + path);
    }
}

void create_u64(hid_t f, const std::string& path, const std::vector<std::uint64_t>& v) {
    plist dcpl = contiguous_dcpl();
    dataset ds = create_dataset(f, path, H5T_STD_U64LE, {v.size()}, dcpl.get());
    if (!v.empty()) {
        check(H5Dwrite(ds.get(), H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
              "H5Dwrite " + path);
    }
}

/// Applies the chain to one buffer of the materialised file `out`.
void apply_buffer(hid_t out, const std::string& name, int nranks, std::vector<open_link>& links) {
    const std::string dpath = object_path(data_group, name);
    dataset ds(H5Dopen2(out, dpath.c_str(), H5P_DEFAULT), "H5Dopen2 " + dpath);
    const std::string kind = read_string_attr(ds.get(), "kind");
    const std::string tname = read_string_attr(ds.get(), "type");
    const std::string format =
        has_attr(ds.get(), "format") ? read_string_attr(ds.get(), "format") : "";
    const auto elem = type_from_name(tname);
    if (!elem) throw make_error("dataset " + dpath + ": unknown type " + tname);
    const std::size_t esz = type_size(*elem);
    const bool distributed = kind == "distributed";
    const int nd = static_cast<int>(dataset_dims(ds.get()).size());
    const std::vector<std::uint64_t> table =
        read_u64_dataset(out, object_path(distributed ? layout_group : index_group, name));
    const auto p = static_cast<std::size_t>(nranks);

    std::vector<delta_buffer_data> dd;
    for (auto& l : links) {
        if (!path_exists(l.f.get(), object_path(delta_group, name))) {
            throw make_error("checkpoint " + l.path + " has no buffer '" + name + "'");
        }
        dd.push_back(read_delta_buffer(l.f.get(), name, nranks));
        if (dd.back().kind != kind || dd.back().type != tname || dd.back().format != format) {
            throw make_error("checkpoint " + l.path + ": buffer '" + name +
                             "' has another kind, type or format than in its base");
        }
        if (distributed && dd.back().layout != table) {
            throw make_error("checkpoint " + l.path + ": buffer '" + name +
                             "' has other blocks than in its base");
        }
    }
    std::vector<std::vector<unsigned char>> states(p);
    bool resized = false;
    for (std::size_t r = 0; r < p; ++r) {
        std::vector<unsigned char>& s = states[r];
        const std::uint64_t n =
            distributed ? [&] {
                std::uint64_t c = 1;
                for (int d = 0; d < nd; ++d) c *= table[r * 6 + 3 + d];
                return c;
            }()
                        : table[r + 1] - table[r];
        s.resize(n * esz);
        if (n > 0) {
            dataspace fs = rank_space(ds.get(), distributed, table, r, nd);
            const hsize_t cnt = n;
            dataspace ms = simple_space({cnt});
            check(H5Dread(ds.get(), mem_type_of(*elem), ms.get(), fs.get(), H5P_DEFAULT, s.data()),
                  "H5Dread " + dpath);
        }
        const std::uint64_t before = s.size();
        for (std::size_t k = 0; k < links.size(); ++k) {
            std::vector<std::uint64_t> blocks;
            std::vector<unsigned char> bytes;
            std::string why = delta_rank_blocks(links[k].f.get(), name, dd[k], r, blocks, bytes);
            if (why.empty()) {
                why = apply_blocks(s, dd[k].sizes[r], links[k].link.block_size, blocks, bytes);
            }
            if (why.empty() &&
                state_checksum(s.data(), s.size(), links[k].link.block_size) != dd[k].checksum[r]) {
                why = "checksum mismatch of '" + name + "' for rank " + std::to_string(r) +
                      " after applying";
            }
            if (!why.empty()) throw make_error("checkpoint " + links[k].path + ": " + why);
        }
        if (s.size() != before) resized = true;
    }
    std::vector<std::uint64_t> sums(p);
    for (std::size_t r = 0; r < p; ++r) sums[r] = hash_bytes(states[r].data(), states[r].size());
    if (resized) {  // only per-rank layouts can change size: rebuild dataset and index
        if (distributed) throw make_error("distributed buffer '" + name + "' changed size");
        ds.reset();
        check(H5Ldelete(out, dpath.c_str(), H5P_DEFAULT), "H5Ldelete " + dpath);
        const std::string ipath = object_path(index_group, name);
        check(H5Ldelete(out, ipath.c_str(), H5P_DEFAULT), "H5Ldelete " + ipath);
        std::vector<std::uint64_t> index(p + 1, 0);
        std::vector<unsigned char> all;
        for (std::size_t r = 0; r < p; ++r) {
            index[r + 1] = index[r] + states[r].size() / esz;
            all.insert(all.end(), states[r].begin(), states[r].end());
        }
        plist dcpl = contiguous_dcpl();
        dataset nds = create_dataset(out, dpath, file_type_of(*elem), {index[p]}, dcpl.get());
        write_attr(nds.get(), "kind", kind);
        if (kind == "object") write_attr(nds.get(), "format", format);
        write_attr(nds.get(), "type", tname);
        if (!all.empty()) {
            check(
                H5Dwrite(nds.get(), mem_type_of(*elem), H5S_ALL, H5S_ALL, H5P_DEFAULT, all.data()),
                "H5Dwrite " + dpath);
        }
        create_u64(out, ipath, index);
    } else {
        for (std::size_t r = 0; r < p; ++r) {
            if (states[r].empty()) continue;
            dataspace fs = rank_space(ds.get(), distributed, table, r, nd);
            const hsize_t cnt = states[r].size() / esz;
            dataspace ms = simple_space({cnt});
            check(H5Dwrite(ds.get(), mem_type_of(*elem), ms.get(), fs.get(), H5P_DEFAULT,
                           states[r].data()),
                  "H5Dwrite " + dpath);
        }
    }
    rewrite_u64(out, object_path(checksum_group, name), sums);
}

void replace_channel(hid_t out, hid_t src) {
    for (const char* p : {"/cairn/channel", "/cairn/checksum_channel"}) {
        if (path_exists(out, p))
            check(H5Ldelete(out, p, H5P_DEFAULT), std::string("H5Ldelete ") + p);
        if (path_exists(src, p)) {
            check(H5Ocopy(src, p, out, p, H5P_DEFAULT, H5P_DEFAULT), std::string("H5Ocopy ") + p);
        }
    }
}

void replace_root_attributes(hid_t out, const checkpoint_meta& meta, const std::string& from) {
    H5O_info_t info{};
    check(H5Oget_info2(out, &info, H5O_INFO_NUM_ATTRS), "H5Oget_info2");
    for (hsize_t i = 0; i < info.num_attrs; ++i) {
        check(H5Adelete_by_idx(out, ".", H5_INDEX_NAME, H5_ITER_DEC, 0, H5P_DEFAULT),
              "H5Adelete_by_idx");
    }
    write_meta(out, meta);
    write_attr(out, "materialized_from", from);
}

}  // namespace

void materialize_checkpoint(const std::string& dir, std::uint64_t epoch, const std::string& out) {
    silence_errors();
    const std::string path = join_path(dir, checkpoint_name(epoch));
    const std::optional<delta_link> link = read_delta_link(path);
    const std::string base = link ? join_path(dir, checkpoint_name(link->base_epoch)) : path;
    const std::vector<std::string> problems = verify_checkpoint_file(base);
    if (!problems.empty()) throw make_error("checkpoint " + base + ": " + problems.front());
    std::error_code ec;
    std::filesystem::copy_file(base, out, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) throw make_error("cannot copy " + base + " to " + out + ": " + ec.message());
    if (!link) return;

    std::vector<open_link> links;
    std::vector<std::uint64_t> epochs(link->chain.begin() + 1, link->chain.end());
    epochs.push_back(epoch);
    for (const auto e : epochs) {
        open_link l;
        l.path = join_path(dir, checkpoint_name(e));
        l.f = open_serial(l.path);
        l.meta = read_meta(l.f.get(), l.path);
        try {
            auto dl = link_of(l.f.get(), l.meta);
            if (!dl) throw hdf5_error("is a full checkpoint inside a delta chain");
            l.link = *dl;
        } catch (const hdf5_error& ex) {
            throw corrupt(l.path, ex.detail());
        }
        links.push_back(std::move(l));
    }
    try {
        file f = open_serial(out, true);
        const checkpoint_meta base_meta = read_meta(f.get(), out);
        if (base_meta.nranks != link->nranks) {
            throw make_error("base " + base + " was written by " +
                             std::to_string(base_meta.nranks) + " ranks, the delta by " +
                             std::to_string(link->nranks));
        }
        for (const std::string& name : member_names(f.get(), data_group)) {
            apply_buffer(f.get(), name, base_meta.nranks, links);
        }
        replace_channel(f.get(), links.back().f.get());
        checkpoint_meta m = links.back().meta;
        replace_root_attributes(
            f.get(), m,
            checkpoint_name(link->base_epoch) + " + " + std::to_string(links.size()) + " delta(s)");
        f.close("H5Fclose " + out);
    } catch (const hdf5_error& e) {
        throw make_error("cannot materialise checkpoint " + path + " into " + out + ": " +
                         e.detail());
    }
    const std::vector<std::string> after = verify_checkpoint_file(out);
    if (!after.empty()) {
        throw make_error("materialised file " + out + " does not verify: " + after.front());
    }
}

}  // namespace cairn::detail
