// Writer of delta checkpoint files (layout: docs/file-format.md), in two ways that make the same
// file: rank 0 alone creates it and every rank writes its changed blocks itself (direct, the
// default), or collective MPI-IO (direct_io = off).
#include "storage/checksum.hpp"
#include "storage/direct_io.hpp"
#include "common/error.hpp"
#include "h5/attributes.hpp"
#include "mpi/comm.hpp"
#include "h5/channel_io.hpp"
#include "h5/dataset_io.hpp"
#include "h5/delta_file.hpp"
#include "h5/delta_format.hpp"
#include "h5/direct_blocks.hpp"
#include "h5/direct_writer.hpp"
#include "h5/format.hpp"
#include "h5/gather.hpp"
#include "h5/mpio.hpp"
#include "h5/open.hpp"
#include "h5/selection.hpp"

#include <algorithm>
#include <functional>
#include <tuple>

namespace cairn::detail {

namespace {

using namespace h5;

constexpr std::size_t fields = 5;  // blocks, bytes, size, checksum, stored checksum

/// A per-rank 1-D view of `n` elements at `p` for transfer_block.
buffer_desc flat(const std::string& name, const void* p, type t, std::size_t n) {
    buffer_desc d;
    d.name = name;
    d.data = const_cast<void*>(p);  // NOLINT(cppcoreguidelines-pro-type-const-cast): only read
    d.elem = t;
    d.kind = buffer_kind::per_rank;
    d.count = n;
    d.extent[0] = n;
    return d;
}

std::vector<std::uint64_t> prefix_of(const std::vector<std::uint64_t>& v) {
    std::vector<std::uint64_t> p(v.size() + 1, 0);
    for (std::size_t r = 0; r < v.size(); ++r) p[r + 1] = p[r] + v[r];
    return p;
}

/// Every rank's sizes and checksums of every buffer's change, gathered before any HDF5 call.
struct delta_sizes {
    std::size_t nbufs = 0;
    int nranks = 0;
    std::vector<std::uint64_t> all;  ///< [rank][buffer][field]

    [[nodiscard]] std::vector<std::uint64_t> column(std::size_t i, std::size_t f) const {
        std::vector<std::uint64_t> v(static_cast<std::size_t>(nranks));
        for (std::size_t r = 0; r < v.size(); ++r) v[r] = all[(r * nbufs + i) * fields + f];
        return v;
    }
    /// [P+1] first changed block of each rank in buffer i's /blocks.
    [[nodiscard]] std::vector<std::uint64_t> block_index(std::size_t i) const {
        return prefix_of(column(i, 0));
    }
    /// [P+1] first byte of each rank in buffer i's /data.
    [[nodiscard]] std::vector<std::uint64_t> data_index(std::size_t i) const {
        return prefix_of(column(i, 1));
    }
};

delta_sizes gather_sizes(MPI_Comm comm, int nranks, const std::vector<buffer_change>& changes) {
    delta_sizes s;
    s.nbufs = changes.size();
    s.nranks = nranks;
    std::vector<std::uint64_t> mine(s.nbufs * fields);
    for (std::size_t i = 0; i < s.nbufs; ++i) {
        const buffer_change& c = changes[i];
        mine[i * fields + 0] = c.blocks.size();
        mine[i * fields + 1] = c.bytes.size();
        mine[i * fields + 2] = c.size;
        mine[i * fields + 3] = c.checksum;
        mine[i * fields + 4] = change_checksum(c.blocks, c.bytes);
    }
    s.all.resize(mine.size() * static_cast<std::size_t>(nranks));
    if (!mine.empty()) {
        // NOLINTNEXTLINE(mpi-type-mismatch): std::uint64_t is exactly MPI_UINT64_T
        check_mpi(MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_UINT64_T,
                                s.all.data(), static_cast<int>(mine.size()), MPI_UINT64_T, comm),
                  "MPI_Allgather of delta sizes");
    }
    return s;
}

/// Called for each buffer's /blocks (data = false) and /data (data = true) dataset right after
/// it is created: puts this rank's part there (MPI-IO) or notes its address (direct).
using part_fn = std::function<void(hid_t ds, std::size_t i, bool data)>;

/// Creates the structure of a delta file in `f` and writes every table (rank 0 writes them;
/// in a parallel file every rank calls this), calling `part` for the raw datasets.
void build_delta(hid_t f, const checkpoint_meta& m, const delta_link& link,
                 const std::vector<buffer_desc>& bufs, const std::vector<block_table>& tables,
                 const delta_sizes& sizes, int rank, hid_t dcpl, deferred_failure& failure,
                 const part_fn& part) {
    write_meta(f, m);
    write_attr(f, kind_attr, std::string("delta"));
    write_attr(f, "base_epoch", link.base_epoch);
    write_attr(f, "parent_epoch", link.parent_epoch);
    write_attr(f, "block_size", link.block_size);
    for (const char* g : {cairn_group, delta_group}) {
        group(H5Gcreate2(f, g, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              std::string("H5Gcreate2 ") + g);
    }
    write_table(f, chain_path, {link.chain.size()}, link.chain, rank, dcpl, failure);
    const auto p = static_cast<hsize_t>(sizes.nranks);
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        const buffer_desc& b = bufs[i];
        const std::string gp = object_path(delta_group, b.name);
        {
            group g(H5Gcreate2(f, gp.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                    "H5Gcreate2 " + gp);
            write_attr(g.get(), "kind", std::string(stored_kind_name(b)));
            if (b.object) write_attr(g.get(), "format", b.format_tag);
            write_attr(g.get(), "type", std::string(type_name(b.elem)));
        }
        const auto bi = sizes.block_index(i);
        const auto di = sizes.data_index(i);
        {
            dataset ds = create_dataset(f, gp + "/blocks", H5T_STD_U64LE, {bi.back()}, dcpl);
            part(ds.get(), i, false);
        }
        {
            dataset ds = create_dataset(f, gp + "/data", H5T_STD_U8LE, {di.back()}, dcpl);
            part(ds.get(), i, true);
        }
        write_table(f, gp + "/block_index", {p + 1}, bi, rank, dcpl, failure);
        write_table(f, gp + "/data_index", {p + 1}, di, rank, dcpl, failure);
        write_table(f, gp + "/sizes", {p}, sizes.column(i, 2), rank, dcpl, failure);
        write_table(f, gp + "/checksum", {p}, sizes.column(i, 3), rank, dcpl, failure);
        write_table(f, gp + "/stored_checksum", {p}, sizes.column(i, 4), rank, dcpl, failure);
        if (b.kind == buffer_kind::distributed) {
            write_table(f, gp + "/global_shape", {static_cast<hsize_t>(b.ndims)},
                        {b.global.begin(), b.global.begin() + b.ndims}, rank, dcpl, failure);
            write_table(f, gp + "/layout", {p, 2, 3}, tables[i].layout, rank, dcpl, failure);
        }
    }
}

/// Collective MPI-IO: every rank creates the structure with the parallel driver and writes its
/// parts with collective transfers.
void write_delta_mpiio(const std::string& path, MPI_Comm comm, const checkpoint_meta& m,
                       const delta_link& link, const std::vector<buffer_desc>& bufs,
                       const std::vector<buffer_change>& changes, const delta_sizes& sizes,
                       const std::vector<block_table>& tables, const channel_plan& channel,
                       int rank) {
    deferred_failure failure;
    try {
        plist fapl = parallel_fapl(comm);
        file f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
               "cannot create " + path);
        plist dcpl = contiguous_dcpl();
        plist dxpl = collective_dxpl();
        const auto me = static_cast<std::size_t>(rank);
        build_delta(f.get(), m, link, bufs, tables, sizes, rank, dcpl.get(), failure,
                    [&](hid_t ds, std::size_t i, bool data) {
                        const buffer_change& c = changes[i];
                        const buffer_desc part =
                            data ? flat("data", c.bytes.data(), type::byte, c.bytes.size())
                                 : flat("blocks", c.blocks.data(), type::uint64, c.blocks.size());
                        const std::uint64_t start =
                            data ? sizes.data_index(i)[me] : sizes.block_index(i)[me];
                        const std::string err = transfer_block(true, ds, part, start, dxpl.get());
                        if (!err.empty()) failure.note(bufs[i].name + ": " + err);
                    });
        write_channel(f.get(), channel, rank, dcpl.get(), failure);
        failure.run([&] { check(H5Fflush(f.get(), H5F_SCOPE_GLOBAL), "H5Fflush " + path); });
        f.close("H5Fclose " + path);
    } catch (const hdf5_error& e) {
        throw make_error("cannot write delta checkpoint " + path + ": " + e.detail());
    }
    if (failure.first) {
        throw make_error("cannot write delta checkpoint " + path + ": " + *failure.first);
    }
}

/// Direct: rank 0 creates the file alone (serial HDF5) with every table, and every rank writes
/// its changed blocks, their indices and its channel part at the datasets' addresses.
void write_delta_direct(const std::string& path, MPI_Comm comm, const checkpoint_meta& m,
                        const delta_link& link, const std::vector<buffer_desc>& bufs,
                        const std::vector<buffer_change>& changes, const delta_sizes& sizes,
                        const std::vector<block_table>& tables, const channel_plan& channel,
                        int rank) {
    const std::size_t nb = bufs.size();
    const std::size_t n = 2 * nb + std::tuple_size_v<channel_addresses>;
    const std::vector<std::uint64_t> addr = addresses_from_rank0(comm, n, path, [&] {
        std::vector<std::uint64_t> a(n, no_storage);
        file f = create_serial(path);
        deferred_failure failure;
        plist dcpl = contiguous_dcpl();
        build_delta(f.get(), m, link, bufs, tables, sizes, 0, dcpl.get(), failure,
                    [&](hid_t ds, std::size_t i, bool data) {
                        a[2 * i + (data ? 1 : 0)] = storage_address(ds).value_or(no_storage);
                    });
        const channel_addresses ch = create_channel(f.get(), channel, dcpl.get(), failure);
        std::copy(ch.begin(), ch.end(), a.begin() + static_cast<std::ptrdiff_t>(2 * nb));
        if (failure.first) throw hdf5_error(*failure.first);
        // Closed before the other ranks write: the raw datasets are allocated (their space lies
        // inside the file's end of allocation) and are never touched by HDF5 again.
        f.close("H5Fclose " + path);
        return a;
    });
    std::string err;
    try {
        direct_file out(path, true, true);
        const auto me = static_cast<std::size_t>(rank);
        for (std::size_t i = 0; i < nb && err.empty(); ++i) {
            const buffer_change& c = changes[i];
            try {
                write_range(out, addr[2 * i], sizes.block_index(i)[me] * sizeof(std::uint64_t),
                            c.blocks.data(), c.blocks.size() * sizeof(std::uint64_t));
                write_range(out, addr[2 * i + 1], sizes.data_index(i)[me], c.bytes.data(),
                            c.bytes.size());
            } catch (const std::exception& e) {
                err = "'" + bufs[i].name + "': " + e.what();
            }
        }
        if (err.empty()) {
            channel_addresses ch{};
            std::copy(addr.begin() + static_cast<std::ptrdiff_t>(2 * nb), addr.end(), ch.begin());
            write_channel_part(out, ch, channel, rank);
        }
    } catch (const std::exception& e) {
        if (err.empty()) err = e.what();
    }
    if (!err.empty()) throw make_error("cannot write delta checkpoint " + path + ": " + err);
}

}  // namespace

void write_delta_file(const std::string& path, MPI_Comm comm, const checkpoint_meta& meta,
                      const delta_link& link, const std::vector<buffer_desc>& bufs,
                      const std::vector<buffer_change>& changes, const channel_state& chan,
                      bool direct_io) {
    silence_errors();
    const auto [rank, nranks] = rank_and_size(comm);
    if (changes.size() != bufs.size()) throw make_error("delta: one change per buffer expected");

    // Every rank's sizes and checksums, before any HDF5 call.
    const std::vector<block_table> tables = gather_blocks(comm, bufs, {});
    const delta_sizes sizes = gather_sizes(comm, nranks, changes);
    const channel_plan channel = plan_channel(comm, chan);
    const checkpoint_meta m = as_written(meta, nranks);
    write_options opts;
    opts.direct_io = direct_io;
    if (direct_writer_applies(opts)) {
        write_delta_direct(path, comm, m, link, bufs, changes, sizes, tables, channel, rank);
    } else {
        write_delta_mpiio(path, comm, m, link, bufs, changes, sizes, tables, channel, rank);
    }
}

}  // namespace cairn::detail
