// Collective reader of a checkpoint file: checks, then reads and verifies in one pass. A job with
// another rank count or decomposition reads its own blocks and verifies the writers' blocks
// ("Changing the rank count" in docs/file-format.md).
#include "storage/checksum.hpp"
#include "storage/direct_io.hpp"
#include "common/error.hpp"
#include "h5/attributes.hpp"
#include "mpi/comm.hpp"
#include "h5/channel_io.hpp"
#include "h5/checkpoint_file.hpp"
#include "h5/dataset_io.hpp"
#include "h5/direct_blocks.hpp"
#include "h5/format.hpp"
#include "h5/gather.hpp"
#include "h5/mpio.hpp"
#include "h5/open.hpp"
#include "h5/selection.hpp"

#include <optional>

namespace cairn::detail {

namespace {

using namespace h5;

/// How one buffer is read.
enum class read_mode {
    own,         ///< this rank's block as written by the same rank; its own checksum
    replicated,  ///< per-rank buffer equal on every writer: writer 0's copy, its checksum
    elastic,     ///< distributed, other blocks: own block read, writer blocks verified apart
};

/// What the metadata phase found for one buffer (the same on every rank).
struct opened_buffer {
    opened_buffer(dataset d, std::vector<std::uint64_t> sums, read_mode m, std::uint64_t first)
        : ds(std::move(d)), checksums(std::move(sums)), start(first), mode(m) {}
    dataset ds;
    std::vector<std::uint64_t> checksums;  // [writers]
    std::uint64_t start = 0;               // per_rank: this rank's first element
    read_mode mode = read_mode::own;
    std::uint64_t stored = 0;  // variable per_rank: this rank's element count in the file
    std::vector<std::uint64_t> layout;  // distributed: [writers][2][3] from the file
    std::optional<std::uint64_t> address;  // file address of contiguous storage
};

/// Context shared by the checks of one read.
struct read_context {
    const std::string& path;
    hid_t f;
    int rank;
    int nranks;   // this job
    int writers;  // the job that wrote the file
};

opened_buffer check_per_rank(const read_context& c, const buffer_desc& b, dataset ds,
                             const block_table& t, std::vector<std::uint64_t> sums) {
    const auto dims = dataset_dims(ds.get());
    const auto w = static_cast<std::size_t>(c.writers);
    const std::vector<std::uint64_t> index =
        read_u64_dataset(c.f, object_path(index_group, b.name));
    if (dims.size() != 1 || index.size() != w + 1 || index[0] != 0 || index[w] != dims[0]) {
        throw corrupt(c.path, "buffer '" + b.name + "': /cairn/index does not match the dataset");
    }
    for (std::size_t r = 0; r < w; ++r) {
        if (index[r + 1] < index[r]) {
            throw corrupt(c.path, "buffer '" + b.name + "': /cairn/index is not increasing");
        }
    }
    if (b.variable) {
        if (c.writers != c.nranks) {
            throw mismatch(c.path, "checkpoint was written by " + std::to_string(c.writers) +
                                       " ranks, this job has " + std::to_string(c.nranks) + ": " +
                                       stored_kind_name(b) + " '" + b.name +
                                       "' holds each rank's own state and cannot change rank "
                                       "count; restart with " + std::to_string(c.writers) +
                                       " ranks");
        }
        const auto me = static_cast<std::size_t>(c.rank);
        opened_buffer o(std::move(ds), std::move(sums), read_mode::own, index[me]);
        o.stored = index[me + 1] - index[me];
        return o;
    }
    if (c.writers == c.nranks) {
        for (std::size_t r = 0; r < w; ++r) {
            if (index[r + 1] - index[r] != t.counts[r]) {
                throw mismatch(c.path, "buffer '" + b.name + "': rank " + std::to_string(r) +
                                           " has " + std::to_string(index[r + 1] - index[r]) +
                                           " elements in the file, " + std::to_string(t.counts[r]) +
                                           " registered");
            }
        }
        return {std::move(ds), std::move(sums), read_mode::own,
                index[static_cast<std::size_t>(c.rank)]};
    }
    // Another rank count: only a buffer replicated on every writer rank can be read.
    const std::uint64_t n = index[1];
    for (std::size_t r = 0; r < w; ++r) {
        if (index[r + 1] - index[r] != n || sums[r] != sums[0]) {
            throw mismatch(c.path, "checkpoint was written by " + std::to_string(c.writers) +
                                       " ranks, this job has " + std::to_string(c.nranks) +
                                       ": per-rank buffer '" + b.name +
                                       "' cannot be redistributed (only distributed arrays can "
                                       "change rank count; a per-rank buffer only when it holds "
                                       "the same bytes on every rank, and this one differs)");
        }
    }
    for (std::size_t r = 0; r < t.counts.size(); ++r) {
        if (t.counts[r] != n) {
            throw mismatch(c.path, "buffer '" + b.name + "': rank " + std::to_string(r) +
                                       " registered " + std::to_string(t.counts[r]) +
                                       " elements, the file holds " + std::to_string(n) +
                                       " on every writer rank");
        }
    }
    return {std::move(ds), std::move(sums), read_mode::replicated, 0};
}

/// Throws corrupt_error when a writer block lies outside the global shape.
void check_writer_blocks(const read_context& c, const buffer_desc& b,
                         const std::vector<std::uint64_t>& layout) {
    for (int w = 0; w < c.writers; ++w) {
        const std::uint64_t* rec = &layout[static_cast<std::size_t>(w) * 6];
        for (int d = 0; d < b.ndims; ++d) {
            if (rec[3 + d] > 0 && (rec[d] > b.global[d] || rec[3 + d] > b.global[d] - rec[d])) {
                throw corrupt(c.path, "buffer '" + b.name + "': /cairn/layout block of rank " +
                                          std::to_string(w) + " exceeds the global shape");
            }
        }
    }
}

opened_buffer check_distributed(const read_context& c, const buffer_desc& b, dataset ds,
                                const block_table& t, std::vector<std::uint64_t> sums) {
    const auto dims = dataset_dims(ds.get());
    const std::vector<std::uint64_t> file_shape(dims.begin(), dims.end());
    if (dims.size() != static_cast<std::size_t>(b.ndims) ||
        !std::equal(dims.begin(), dims.end(), b.global.begin())) {
        throw mismatch(c.path, "buffer '" + b.name + "' has global shape " +
                                   shape_text(file_shape.data(), static_cast<int>(dims.size())) +
                                   " in the file, registered " +
                                   shape_text(b.global.data(), b.ndims));
    }
    std::vector<std::uint64_t> layout = read_u64_dataset(c.f, object_path(layout_group, b.name));
    if (layout.size() != static_cast<std::size_t>(c.writers) * 6) {
        throw corrupt(c.path, "buffer '" + b.name + "': /cairn/layout has the wrong size");
    }
    check_writer_blocks(c, b, layout);
    opened_buffer o(std::move(ds), std::move(sums),
                    layout == t.layout ? read_mode::own : read_mode::elastic, 0);
    o.layout = std::move(layout);
    return o;
}

/// Metadata checks of one buffer; the same answer on every rank.
opened_buffer check_buffer(const read_context& c, const buffer_desc& b, const block_table& t) {
    const std::string dpath = object_path(data_group, b.name);
    if (!path_exists(c.f, dpath)) {
        throw mismatch(c.path, "buffer '" + b.name + "' is registered but not in the file");
    }
    dataset ds(H5Dopen2(c.f, dpath.c_str(), H5P_DEFAULT), "H5Dopen2 " + dpath);
    for (const char* a : {"kind", "type"}) {
        if (!has_attr(ds.get(), a)) {
            throw corrupt(c.path, "dataset " + dpath + " has no '" + a + "' attribute");
        }
    }
    const std::string kind = read_string_attr(ds.get(), "kind");
    const std::string tname = read_string_attr(ds.get(), "type");
    if (kind != stored_kind_name(b)) {
        throw mismatch(c.path, "buffer '" + b.name + "' is " + kind +
                                   " in the file, registered as " + stored_kind_name(b));
    }
    if (b.object) {
        if (!has_attr(ds.get(), "format")) {
            throw corrupt(c.path, "dataset " + dpath + " has no 'format' attribute");
        }
        const std::string tag = read_string_attr(ds.get(), "format");
        if (tag != b.format_tag) {
            throw mismatch(c.path, "object '" + b.name + "' has format '" + tag +
                                       "' in the file, registered with format '" +
                                       b.format_tag + "'");
        }
    }
    if (tname != type_name(b.elem)) {
        throw mismatch(c.path, "buffer '" + b.name + "' has type " + tname +
                                   " in the file, registered " + type_name(b.elem));
    }
    {
        datatype ft(H5Dget_type(ds.get()), "H5Dget_type " + dpath);
        if (H5Tget_size(ft.get()) != type_size(b.elem)) {
            throw corrupt(c.path, "dataset " + dpath + " element size does not match its type");
        }
    }
    std::vector<std::uint64_t> sums = read_u64_dataset(c.f, object_path(checksum_group, b.name));
    if (sums.size() != static_cast<std::size_t>(c.writers)) {
        throw corrupt(c.path, "buffer '" + b.name + "': /cairn/checksum has the wrong size");
    }
    const auto address = storage_address(ds.get());
    opened_buffer o = b.kind == buffer_kind::per_rank
                          ? check_per_rank(c, b, std::move(ds), t, std::move(sums))
                          : check_distributed(c, b, std::move(ds), t, std::move(sums));
    o.address = address;
    return o;
}

/// Collective: rank r verifies writer blocks r, r + P, r + 2P, ... of an elastic buffer by
/// reading each into a packed temporary. Returns the first problem ("" = none).
std::string verify_writer_blocks(const read_context& c, const buffer_desc& b,
                                 const opened_buffer& o, hid_t dxpl) {
    std::string problem;
    const int rounds = (c.writers + c.nranks - 1) / c.nranks;
    for (int k = 0; k < rounds; ++k) {
        const int w = k * c.nranks + c.rank;
        buffer_desc wb = b;  // count 0 = join the transfer with nothing selected
        wb.count = 0;
        std::vector<unsigned char> tmp;
        if (w < c.writers) {
            const std::uint64_t* rec = &o.layout[static_cast<std::size_t>(w) * 6];
            wb.count = 1;
            for (int d = 0; d < b.ndims; ++d) {
                wb.offset[d] = rec[d];
                wb.extent[d] = rec[3 + d];
                wb.mem_shape[d] = rec[3 + d];
                wb.mem_offset[d] = 0;
                wb.count *= rec[3 + d];
            }
            tmp.resize(wb.count * type_size(b.elem));
        }
        wb.data = tmp.empty() ? nullptr : tmp.data();
        const std::string failure = transfer_block(false, o.ds.get(), wb, 0, dxpl);
        if (w >= c.writers || !problem.empty()) continue;
        if (!failure.empty()) {
            problem = "cannot read the block of writer rank " + std::to_string(w) + " of '" +
                      b.name + "': " + failure;
            continue;
        }
        const std::uint64_t stored = o.checksums[static_cast<std::size_t>(w)];
        const std::uint64_t computed = hash_bytes(tmp.data(), tmp.size());
        if (stored != computed) {
            problem = "checksum mismatch in '" + b.name + "' for writer rank " + std::to_string(w) +
                      " (stored " + hex(stored) + ", computed " + hex(computed) + ")";
        }
    }
    return problem;
}

/// Reads this rank's own block with `direct` when it is one byte range of the file; returns
/// false (nothing read) when it is not. Checksums the data piece by piece as it arrives (one pass
/// over memory less than reading, then hashing): `sum` is hash_buffer(b) after a whole read.
bool read_direct(direct_file* direct, const buffer_desc& b, const opened_buffer& o,
                 std::string& failure, std::optional<std::uint64_t>& sum) {
    if (direct == nullptr || o.mode != read_mode::own || !o.address) return false;
    const auto off = contiguous_block_offset(b, o.start);
    if (!off) return false;
    try {
        if (b.bytes() > 0) {
            streaming_hash h;
            direct->read(*o.address + *off, b.data, b.bytes(),
                         [&h](const unsigned char* p, std::size_t n) { h.update(p, n); });
            sum = h.digest();
        }
    } catch (const std::exception& e) {
        failure = e.what();
    }
    return true;
}

/// Reads one buffer and verifies what this rank is responsible for. The HDF5 transfers are
/// independent, so a rank that reads its block directly need not join them.
std::string read_buffer(const read_context& c, const buffer_desc& b, const opened_buffer& o,
                        hid_t dxpl, direct_file* direct) {
    std::string failure;
    std::optional<std::uint64_t> sum;
    if (!read_direct(direct, b, o, failure, sum)) {
        failure = transfer_block(false, o.ds.get(), b, o.start, dxpl);
    }
    std::string problem;
    if (!failure.empty()) problem = "cannot read '" + b.name + "': " + failure;
    if (o.mode == read_mode::elastic) {
        const std::string v = verify_writer_blocks(c, b, o, dxpl);
        return problem.empty() ? v : problem;
    }
    if (!problem.empty()) return problem;
    const std::size_t who = o.mode == read_mode::replicated ? 0 : static_cast<std::size_t>(c.rank);
    const std::uint64_t stored = o.checksums[who];
    const std::uint64_t computed = sum ? *sum : hash_buffer(b);
    if (stored == computed) return "";
    return "checksum mismatch in '" + b.name + "' for " +
           (o.mode == read_mode::replicated ? "writer rank 0 (replicated buffer)"
                                            : "rank " + std::to_string(c.rank)) +
           " (stored " + hex(stored) + ", computed " + hex(computed) + ")";
}

}  // namespace

checkpoint_meta read_checkpoint_file(const std::string& path, MPI_Comm comm,
                                     const std::vector<buffer_desc>& bufs) {
    channel_state discarded;
    return read_checkpoint_file(path, comm, bufs, discarded);
}

checkpoint_meta read_checkpoint_file(const std::string& path, MPI_Comm comm,
                                     const std::vector<buffer_desc>& bufs, channel_state& chan_out,
                                     const read_options& opts) {
    chan_out = channel_state{};
    const auto [rank, nranks] = rank_and_size(comm);
    const std::vector<block_table> tables = gather_blocks(comm, bufs, {});

    // Every rank opens the file on its own with the serial driver and reads the (small) metadata
    // itself: the MPI-IO open of the committed file cost 30-40 ms of a 0.14 s restore here, the
    // serial one 4-9 ms (docs/tuning.md, with what this trades away at scale).
    auto [f, meta] = open_with_meta(path, comm, open_driver::each);
    const read_context c{path, f.get(), rank, nranks, meta.nranks};
    const std::string ranks_text = "checkpoint was written by " + std::to_string(meta.nranks) +
                                   " ranks, this job has " + std::to_string(nranks);

    // Metadata phase: every rank reads the same metadata, so every rank throws alike.
    channel_layout channel;
    try {
        channel = read_channel_layout(f.get(), meta.nranks);
    } catch (const hdf5_error& e) {
        throw corrupt(path, "channel log: " + e.detail());
    }
    if (meta.nranks != nranks && channel.messages() > 0) {
        throw mismatch(path, ranks_text + ": it has in-flight messages logged for " +
                                 std::to_string(meta.nranks) + " ranks; restart with " +
                                 std::to_string(meta.nranks) + " ranks");
    }
    std::vector<opened_buffer> opened;
    opened.reserve(bufs.size());
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        try {
            opened.push_back(check_buffer(c, bufs[i], tables[i]));
        } catch (const hdf5_error& e) {
            throw corrupt(path, "buffer '" + bufs[i].name + "': " + e.detail());
        }
        if (opened.back().mode == read_mode::elastic && channel.messages() > 0) {
            throw mismatch(path, "distributed buffer '" + bufs[i].name +
                                     "' is registered with other blocks than it was written "
                                     "with, but the checkpoint has in-flight messages logged; "
                                     "restart with the same decomposition");
        }
    }

    // Data phase: every rank makes every read call; problems are thrown at the end. Each rank
    // reads its own block (with O_DIRECT where it can), which measured up to 2x faster than
    // collective buffering here (docs/tuning.md).
    std::optional<corrupt_error> problem;
    const hid_t dxpl = H5P_DEFAULT;  // the file is open with the serial driver
    std::optional<direct_file> direct;
    if (opts.direct_io) {
        try {
            direct.emplace(path, false);
        } catch (const std::exception&) {
            direct.reset();  // e.g. no O_DIRECT on this file system: HDF5 reads everything
        }
    }
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        buffer_desc b = bufs[i];
        std::string p;
        if (b.variable) {  // sized as stored: the application's resize gives the destination
            b.count = opened[i].stored;
            b.extent[0] = b.count;
            try {
                b.data = b.resize(b.count);
            } catch (const std::exception& e) {
                p = "cannot resize '" + b.name + "' to " + std::to_string(b.count) +
                    " elements: " + e.what();
            }
            if (p.empty() && b.data == nullptr && b.count > 0) {
                p = "resize of '" + b.name + "' returned a null pointer";
            }
            if (!p.empty()) {
                b.count = 0;
                b.extent[0] = 0;
                b.data = nullptr;
            }
        }
        const std::string q = read_buffer(c, b, opened[i], dxpl, direct ? &*direct : nullptr);
        if (p.empty()) p = q;
        if (!p.empty() && !problem) problem = corrupt(path, p);
    }
    if (meta.nranks == nranks) {
        const std::string p = read_channel(f.get(), channel, nranks, rank, dxpl, chan_out);
        if (!p.empty() && !problem) problem = corrupt(path, p);
    }
    opened.clear();
    f.reset();
    if (problem) {
        chan_out = channel_state{};
        throw *problem;
    }
    return meta;
}

}  // namespace cairn::detail
