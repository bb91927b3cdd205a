// Collective reader of a delta checkpoint file: checks the metadata against the registration,
// then reads this rank's blocks, applies them and verifies the result in one pass.
#include "storage/checksum.hpp"
#include "common/error.hpp"
#include "h5/attributes.hpp"
#include "mpi/comm.hpp"
#include "h5/channel_io.hpp"
#include "h5/dataset_io.hpp"
#include "h5/delta_file.hpp"
#include "h5/delta_format.hpp"
#include "h5/format.hpp"
#include "h5/gather.hpp"
#include "h5/mpio.hpp"
#include "h5/open.hpp"
#include "h5/selection.hpp"

#include <optional>

namespace cairn::detail {

namespace {

using namespace h5;

/// The tables of one buffer in a delta file (the same on every rank).
struct delta_tables {
    std::vector<std::uint64_t> block_index;  // [P+1]
    std::vector<std::uint64_t> data_index;   // [P+1]
    std::vector<std::uint64_t> sizes;        // [P]
    std::vector<std::uint64_t> checksum;     // [P]
    std::vector<std::uint64_t> stored;       // [P]
};

delta_tables read_tables(hid_t f, const std::string& path, const std::string& gp, int p) {
    delta_tables t;
    t.block_index = read_u64_dataset(f, gp + "/block_index");
    t.data_index = read_u64_dataset(f, gp + "/data_index");
    t.sizes = read_u64_dataset(f, gp + "/sizes");
    t.checksum = read_u64_dataset(f, gp + "/checksum");
    t.stored = read_u64_dataset(f, gp + "/stored_checksum");
    const auto n = static_cast<std::size_t>(p);
    if (t.block_index.size() != n + 1 || t.data_index.size() != n + 1 || t.sizes.size() != n ||
        t.checksum.size() != n || t.stored.size() != n) {
        throw corrupt(path, gp + ": index tables have the wrong size");
    }
    for (std::size_t r = 0; r < n; ++r) {
        if (t.block_index[r + 1] < t.block_index[r] || t.data_index[r + 1] < t.data_index[r]) {
            throw corrupt(path, gp + ": index tables are not increasing");
        }
    }
    for (const char* name : {"/blocks", "/data"}) {
        dataset ds(H5Dopen2(f, (gp + name).c_str(), H5P_DEFAULT), "H5Dopen2 " + gp + name);
        const auto dims = dataset_dims(ds.get());
        const std::uint64_t want = name[1] == 'b' ? t.block_index[n] : t.data_index[n];
        if (dims.size() != 1 || dims[0] != want) {
            throw corrupt(path, gp + name + " does not match its index table");
        }
    }
    return t;
}

/// Checks one buffer's group against the registration; the same answer on every rank.
delta_tables check_delta_buffer(hid_t f, const std::string& path, const buffer_desc& b,
                                const block_table& t, int nranks) {
    const std::string gp = object_path(delta_group, b.name);
    if (!path_exists(f, gp)) {
        throw mismatch(path, "buffer '" + b.name + "' is registered but not in the delta");
    }
    {
        group g(H5Gopen2(f, gp.c_str(), H5P_DEFAULT), "H5Gopen2 " + gp);
        for (const char* a : {"kind", "type"}) {
            if (!has_attr(g.get(), a)) throw corrupt(path, gp + " has no '" + a + "' attribute");
        }
        const std::string kind = read_string_attr(g.get(), "kind");
        if (kind != stored_kind_name(b)) {
            throw mismatch(path, "buffer '" + b.name + "' is " + kind +
                                     " in the file, registered as " + stored_kind_name(b));
        }
        const std::string tname = read_string_attr(g.get(), "type");
        if (tname != type_name(b.elem)) {
            throw mismatch(path, "buffer '" + b.name + "' has type " + tname +
                                     " in the file, registered " + type_name(b.elem));
        }
        if (b.object) {
            const std::string tag =
                has_attr(g.get(), "format") ? read_string_attr(g.get(), "format") : "";
            if (tag != b.format_tag) {
                throw mismatch(path, "object '" + b.name + "' has format '" + tag +
                                         "' in the file, registered '" + b.format_tag + "'");
            }
        }
    }
    delta_tables d = read_tables(f, path, gp, nranks);
    if (!b.variable) {
        const std::size_t esz = type_size(b.elem);
        for (std::size_t r = 0; r < d.sizes.size(); ++r) {
            if (d.sizes[r] != t.counts[r] * esz) {
                throw mismatch(path, "buffer '" + b.name + "': rank " + std::to_string(r) +
                                         " has " + std::to_string(d.sizes[r]) +
                                         " bytes in the delta, " +
                                         std::to_string(t.counts[r] * esz) + " registered");
            }
        }
    }
    if (b.kind == buffer_kind::distributed) {
        if (read_u64_dataset(f, gp + "/layout") != t.layout) {
            throw mismatch(path, "distributed buffer '" + b.name +
                                     "' is registered with other blocks than the delta was "
                                     "written with; incremental checkpoints need the same "
                                     "decomposition");
        }
    }
    return d;
}

/// Reads elements [start, start + n) of 1-D dataset `dpath` (collective).
std::string read_part(hid_t f, const std::string& dpath, type t, std::uint64_t start, void* out,
                      std::size_t n, hid_t dxpl) {
    dataset ds(H5Dopen2(f, dpath.c_str(), H5P_DEFAULT), "H5Dopen2 " + dpath);
    buffer_desc d;
    d.name = dpath;
    d.data = out;
    d.elem = t;
    d.kind = buffer_kind::per_rank;
    d.count = n;
    d.extent[0] = n;
    return transfer_block(false, ds.get(), d, start, dxpl);
}

}  // namespace

checkpoint_meta apply_delta_file(const std::string& path, MPI_Comm comm,
                                 const std::vector<buffer_desc>& bufs,
                                 std::vector<std::vector<unsigned char>>& state,
                                 channel_state& chan_out) {
    chan_out = channel_state{};
    const auto [rank, nranks] = rank_and_size(comm);
    const std::vector<block_table> tables = gather_blocks(comm, bufs, {});

    auto [f, meta] = open_with_meta(path, comm, open_driver::collective);
    std::vector<delta_tables> dt;
    channel_layout channel;
    std::uint64_t block = 0;
    try {
        if (!has_attr(f.get(), kind_attr) || read_string_attr(f.get(), kind_attr) != "delta") {
            throw corrupt(path, "is not a delta checkpoint");
        }
        if (meta.nranks != nranks) {
            throw mismatch(path, "delta checkpoint written by " + std::to_string(meta.nranks) +
                                     " ranks, this job has " + std::to_string(nranks) +
                                     "; incremental checkpoints need the same rank count");
        }
        block = read_u64_attr(f.get(), "block_size");
        if (block == 0) throw corrupt(path, "block_size 0");
        channel = read_channel_layout(f.get(), meta.nranks);
        for (std::size_t i = 0; i < bufs.size(); ++i) {
            dt.push_back(check_delta_buffer(f.get(), path, bufs[i], tables[i], nranks));
        }
    } catch (const hdf5_error& e) {
        throw corrupt(path, e.detail());
    }

    std::optional<corrupt_error> problem;
    plist dxpl = collective_dxpl();
    const auto me = static_cast<std::size_t>(rank);
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        const delta_tables& d = dt[i];
        const std::string gp = object_path(delta_group, bufs[i].name);
        std::vector<std::uint64_t> blocks(d.block_index[me + 1] - d.block_index[me]);
        std::vector<unsigned char> bytes(d.data_index[me + 1] - d.data_index[me]);
        std::string p;
        try {
            p = read_part(f.get(), gp + "/blocks", type::uint64, d.block_index[me], blocks.data(),
                          blocks.size(), dxpl.get());
            const std::string q = read_part(f.get(), gp + "/data", type::byte, d.data_index[me],
                                            bytes.data(), bytes.size(), dxpl.get());
            if (p.empty()) p = q;
        } catch (const hdf5_error& e) {  // opening failed alike on every rank (same metadata)
            p = e.detail();
        }
        if (p.empty() && change_checksum(blocks, bytes) != d.stored[me]) {
            p = "stored blocks of '" + bufs[i].name + "' for rank " + std::to_string(rank) +
                " fail their checksum";
        }
        if (p.empty()) p = apply_blocks(state[i], d.sizes[me], block, blocks, bytes);
        if (p.empty()) {
            const std::uint64_t h = state_checksum(state[i].data(), state[i].size(), block);
            if (h != d.checksum[me]) {
                p = "checksum mismatch of '" + bufs[i].name + "' for rank " + std::to_string(rank) +
                    " after applying (stored " + hex(d.checksum[me]) + ", computed " + hex(h) + ")";
            }
        }
        if (!p.empty() && !problem) problem = corrupt(path, p);
    }
    const std::string p = read_channel(f.get(), channel, nranks, rank, dxpl.get(), chan_out);
    if (!p.empty() && !problem) problem = corrupt(path, p);
    f.reset();
    if (problem) {
        chan_out = channel_state{};
        throw *problem;
    }
    return meta;
}

}  // namespace cairn::detail
