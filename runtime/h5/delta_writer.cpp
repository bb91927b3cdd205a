// Collective writer of a delta checkpoint file (layout: docs/file-format.md).
#include "checksum.hpp"
#include "direct_io.hpp"
#include "error.hpp"
#include "h5/attributes.hpp"
#include "h5/channel_io.hpp"
#include "h5/dataset_io.hpp"
#include "h5/delta_file.hpp"
#include "h5/delta_format.hpp"
#include "h5/direct_blocks.hpp"
#include "h5/format.hpp"
#include "h5/gather.hpp"
#include "h5/mpio.hpp"
#include "h5/selection.hpp"

#include <optional>

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

std::vector<std::uint64_t> column(const std::vector<std::uint64_t>& all, std::size_t nbufs,
                                  std::size_t i, std::size_t f, int nranks) {
    std::vector<std::uint64_t> v(static_cast<std::size_t>(nranks));
    for (std::size_t r = 0; r < v.size(); ++r) v[r] = all[(r * nbufs + i) * fields + f];
    return v;
}

std::vector<std::uint64_t> prefix_of(const std::vector<std::uint64_t>& v) {
    std::vector<std::uint64_t> p(v.size() + 1, 0);
    for (std::size_t r = 0; r < v.size(); ++r) p[r + 1] = p[r] + v[r];
    return p;
}

/// This rank's `n` elements at `start` of `ds` with `direct` (O_DIRECT at the dataset's address,
/// no MPI-IO): every rank chose this path.
std::string write_part_direct(direct_file& direct, hid_t ds, const buffer_desc& part,
                              std::uint64_t start) {
    if (part.bytes() == 0) return "";
    const auto addr = storage_address(ds);
    const auto off = contiguous_block_offset(part, start);
    if (!addr || !off) return "no contiguous storage for a direct write";
    try {
        direct.write(*addr + *off, part.data, part.bytes());
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

/// Creates `path` (1-D, `total` elements) and writes this rank's `n` elements at `start`, with
/// `direct` if given, else collectively through MPI-IO.
void write_part(hid_t f, const std::string& path, hid_t ftype, type t, std::uint64_t total,
                std::uint64_t start, const void* p, std::size_t n, hid_t dcpl, hid_t dxpl,
                direct_file* direct, deferred_failure& failure) {
    dataset ds = create_dataset(f, path, ftype, {total}, dcpl);
    const buffer_desc part = flat(path, p, t, n);
    const std::string err = direct != nullptr ? write_part_direct(*direct, ds.get(), part, start)
                                              : transfer_block(true, ds.get(), part, start, dxpl);
    if (!err.empty()) failure.note(path + ": " + err);
}

}  // namespace

void write_delta_file(const std::string& path, MPI_Comm comm, const checkpoint_meta& meta,
                      const delta_link& link, const std::vector<buffer_desc>& bufs,
                      const std::vector<buffer_change>& changes, const channel_state& chan,
                      bool direct_io) {
    silence_errors();
    int rank = 0;
    int nranks = 0;
    check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(comm, &nranks), "MPI_Comm_size");
    if (changes.size() != bufs.size()) throw make_error("delta: one change per buffer expected");

    // Every rank's sizes and checksums, before any HDF5 call.
    const std::vector<block_table> tables = gather_blocks(comm, bufs, {});
    const std::size_t nb = bufs.size();
    std::vector<std::uint64_t> mine(nb * fields);
    for (std::size_t i = 0; i < nb; ++i) {
        const buffer_change& c = changes[i];
        mine[i * fields + 0] = c.blocks.size();
        mine[i * fields + 1] = c.bytes.size();
        mine[i * fields + 2] = c.size;
        mine[i * fields + 3] = c.checksum;
        mine[i * fields + 4] = change_checksum(c.blocks, c.bytes);
    }
    std::vector<std::uint64_t> all(mine.size() * static_cast<std::size_t>(nranks));
    if (!mine.empty()) {
        // NOLINTNEXTLINE(mpi-type-mismatch): std::uint64_t is exactly MPI_UINT64_T
        check_mpi(MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_UINT64_T,
                                all.data(), static_cast<int>(mine.size()), MPI_UINT64_T, comm),
                  "MPI_Allgather of delta sizes");
    }
    const channel_plan channel = plan_channel(comm, chan);

    checkpoint_meta m = meta;
    m.format_version = file_format_version;
    m.nranks = nranks;
    m.checksum_algorithm = checksum_algorithm;

    deferred_failure failure;
    try {
        plist fapl = parallel_fapl(comm);
        file f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
               "cannot create " + path);
        write_meta(f.get(), m);
        write_attr(f.get(), kind_attr, std::string("delta"));
        write_attr(f.get(), "base_epoch", link.base_epoch);
        write_attr(f.get(), "parent_epoch", link.parent_epoch);
        write_attr(f.get(), "block_size", link.block_size);
        for (const char* g : {cairn_group, delta_group}) {
            group(H5Gcreate2(f.get(), g, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  std::string("H5Gcreate2 ") + g);
        }
        // The changed blocks and their indices go straight to the file with O_DIRECT, as the
        // data of a full checkpoint does, when every rank can open it so (the choice must agree:
        // the other path is collective).
        std::optional<direct_file> direct;
        if (direct_io) {
            try {
                direct.emplace(path, true);
            } catch (const std::exception&) {
                direct.reset();
            }
        }
        int all_direct = direct ? 1 : 0;
        check_mpi(MPI_Allreduce(MPI_IN_PLACE, &all_direct, 1, MPI_INT, MPI_MIN, comm),
                  "MPI_Allreduce");
        direct_file* dio = all_direct != 0 ? &*direct : nullptr;
        plist dcpl = contiguous_dcpl();
        plist dxpl = collective_dxpl();
        write_table(f.get(), chain_path, {link.chain.size()}, link.chain, rank, dcpl.get(), failure);
        for (std::size_t i = 0; i < nb; ++i) {
            const buffer_desc& b = bufs[i];
            const buffer_change& c = changes[i];
            const std::string gp = object_path(delta_group, b.name);
            {
                group g(H5Gcreate2(f.get(), gp.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                        "H5Gcreate2 " + gp);
                write_attr(g.get(), "kind", std::string(stored_kind_name(b)));
                if (b.object) write_attr(g.get(), "format", b.format_tag);
                write_attr(g.get(), "type", std::string(type_name(b.elem)));
            }
            const auto nblocks = column(all, nb, i, 0, nranks);
            const auto nbytes = column(all, nb, i, 1, nranks);
            const auto bi = prefix_of(nblocks);
            const auto di = prefix_of(nbytes);
            const auto me = static_cast<std::size_t>(rank);
            const auto p1 = static_cast<hsize_t>(nranks) + 1;
            const auto p = static_cast<hsize_t>(nranks);
            write_part(f.get(), gp + "/blocks", H5T_STD_U64LE, type::uint64, bi.back(), bi[me],
                       c.blocks.data(), c.blocks.size(), dcpl.get(), dxpl.get(), dio, failure);
            write_part(f.get(), gp + "/data", H5T_STD_U8LE, type::byte, di.back(), di[me],
                       c.bytes.data(), c.bytes.size(), dcpl.get(), dxpl.get(), dio, failure);
            write_table(f.get(), gp + "/block_index", {p1}, bi, rank, dcpl.get(),
                        failure);
            write_table(f.get(), gp + "/data_index", {p1}, di, rank, dcpl.get(),
                        failure);
            write_table(f.get(), gp + "/sizes", {p}, column(all, nb, i, 2, nranks), rank,
                        dcpl.get(), failure);
            write_table(f.get(), gp + "/checksum", {p}, column(all, nb, i, 3, nranks), rank,
                        dcpl.get(), failure);
            write_table(f.get(), gp + "/stored_checksum", {p}, column(all, nb, i, 4, nranks), rank,
                        dcpl.get(), failure);
            if (b.kind == buffer_kind::distributed) {
                write_table(f.get(), gp + "/global_shape", {static_cast<hsize_t>(b.ndims)},
                            {b.global.begin(), b.global.begin() + b.ndims}, rank, dcpl.get(), failure);
                write_table(f.get(), gp + "/layout", {p, 2, 3}, tables[i].layout, rank, dcpl.get(), failure);
            }
        }
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

}  // namespace cairn::detail
