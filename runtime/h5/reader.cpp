// Collective reader of a checkpoint file: checks, then reads and verifies in one pass.
#include "checksum.hpp"
#include "error.hpp"
#include "h5/attributes.hpp"
#include "h5/checkpoint_file.hpp"
#include "h5/format.hpp"
#include "h5/gather.hpp"
#include "h5/mpio.hpp"
#include "h5/selection.hpp"

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <optional>

namespace cairn::detail {

namespace {

using namespace h5;

mismatch_error mismatch(const std::string& path, const std::string& why) {
    return mismatch_error(
        make_error("checkpoint " + path + " does not fit the registration: " + why).what());
}

std::string hex(std::uint64_t v) {
    char s[24];
    std::snprintf(s, sizeof s, "0x%016" PRIx64, v);
    return s;
}

/// Opens `path` on every rank of `comm` or throws corrupt_error on every rank.
file open_collective(const std::string& path, MPI_Comm comm) {
    plist fapl = parallel_fapl(comm);
    file f;
    std::string why;
    try {
        f = file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), "H5Fopen");
    } catch (const hdf5_error& e) {
        why = e.detail();
    }
    int ok = f ? 1 : 0;
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
    if (ok != 0) return f;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw corrupt(path, "file does not exist");
    if (why.empty()) why = "failed on another rank";
    throw corrupt(path, "not an HDF5 file or truncated (" + why + ")");
}

/// What the metadata phase found for one buffer.
struct opened_buffer {
    dataset ds;
    std::vector<std::uint64_t> checksums;  // [P]
    std::uint64_t start = 0;               // per_rank: this rank's first element
};

opened_buffer check_per_rank(const std::string& path, const buffer_desc& b, dataset ds,
                             const block_table& t, hid_t f, int rank) {
    const auto dims = dataset_dims(ds.get());
    const std::vector<std::uint64_t> index = read_u64_dataset(f, object_path(index_group, b.name));
    const std::size_t nranks = t.counts.size();
    if (dims.size() != 1 || index.size() != nranks + 1 || index[0] != 0 ||
        index[nranks] != dims[0]) {
        throw corrupt(path, "buffer '" + b.name + "': /cairn/index does not match the dataset");
    }
    for (std::size_t r = 0; r < nranks; ++r) {
        if (index[r + 1] < index[r]) {
            throw corrupt(path, "buffer '" + b.name + "': /cairn/index is not increasing");
        }
        if (index[r + 1] - index[r] != t.counts[r]) {
            throw mismatch(path, "buffer '" + b.name + "': rank " + std::to_string(r) + " has " +
                                     std::to_string(index[r + 1] - index[r]) +
                                     " elements in the file, " + std::to_string(t.counts[r]) +
                                     " registered");
        }
    }
    return {std::move(ds), {}, index[static_cast<std::size_t>(rank)]};
}

opened_buffer check_distributed(const std::string& path, const buffer_desc& b, dataset ds,
                                const block_table& t, hid_t f) {
    const auto dims = dataset_dims(ds.get());
    const std::vector<std::uint64_t> file_shape(dims.begin(), dims.end());
    if (dims.size() != static_cast<std::size_t>(b.ndims) ||
        !std::equal(dims.begin(), dims.end(), b.global.begin())) {
        throw mismatch(path, "buffer '" + b.name + "' has global shape " +
                                 shape_text(file_shape.data(), static_cast<int>(dims.size())) +
                                 " in the file, registered " +
                                 shape_text(b.global.data(), b.ndims));
    }
    const std::vector<std::uint64_t> layout =
        read_u64_dataset(f, object_path(layout_group, b.name));
    if (layout.size() != t.layout.size()) {
        throw corrupt(path, "buffer '" + b.name + "': /cairn/layout has the wrong size");
    }
    for (std::size_t r = 0; r < t.counts.size(); ++r) {
        const std::uint64_t* in_file = &layout[r * 6];
        const std::uint64_t* reg = &t.layout[r * 6];
        if (!std::equal(in_file, in_file + 6, reg)) {
            throw mismatch(path, "buffer '" + b.name + "': block of rank " + std::to_string(r) +
                                     " is at " + shape_text(in_file, b.ndims) + " extent " +
                                     shape_text(in_file + 3, b.ndims) +
                                     " in the file, registered " + shape_text(reg, b.ndims) +
                                     " extent " + shape_text(reg + 3, b.ndims) +
                                     " (format 1 restarts need the same decomposition)");
        }
    }
    return {std::move(ds), {}, 0};
}

/// Metadata checks of one buffer; the same answer on every rank.
opened_buffer check_buffer(const std::string& path, const buffer_desc& b, const block_table& t,
                           hid_t f, int rank) {
    const std::string dpath = object_path(data_group, b.name);
    if (!path_exists(f, dpath)) {
        throw mismatch(path, "buffer '" + b.name + "' is registered but not in the file");
    }
    dataset ds(H5Dopen2(f, dpath.c_str(), H5P_DEFAULT), "H5Dopen2 " + dpath);
    for (const char* a : {"kind", "type"}) {
        if (!has_attr(ds.get(), a)) {
            throw corrupt(path, "dataset " + dpath + " has no '" + a + "' attribute");
        }
    }
    const std::string kind = read_string_attr(ds.get(), "kind");
    const std::string tname = read_string_attr(ds.get(), "type");
    if (kind != kind_name(b.kind)) {
        throw mismatch(path, "buffer '" + b.name + "' is " + kind + " in the file, registered as " +
                                 kind_name(b.kind));
    }
    if (tname != type_name(b.elem)) {
        throw mismatch(path, "buffer '" + b.name + "' has type " + tname +
                                 " in the file, registered " + type_name(b.elem));
    }
    {
        datatype ft(H5Dget_type(ds.get()), "H5Dget_type " + dpath);
        if (H5Tget_size(ft.get()) != type_size(b.elem)) {
            throw corrupt(path, "dataset " + dpath + " element size does not match its type");
        }
    }
    opened_buffer o = b.kind == buffer_kind::per_rank
                          ? check_per_rank(path, b, std::move(ds), t, f, rank)
                          : check_distributed(path, b, std::move(ds), t, f);
    o.checksums = read_u64_dataset(f, object_path(checksum_group, b.name));
    if (o.checksums.size() != t.counts.size()) {
        throw corrupt(path, "buffer '" + b.name + "': /cairn/checksum has the wrong size");
    }
    return o;
}

}  // namespace

checkpoint_meta read_checkpoint_file(const std::string& path, MPI_Comm comm,
                                     const std::vector<buffer_desc>& bufs) {
    silence_errors();
    int rank = 0;
    int nranks = 0;
    check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(comm, &nranks), "MPI_Comm_size");
    const std::vector<block_table> tables = gather_blocks(comm, bufs, {});

    file f = open_collective(path, comm);
    checkpoint_meta meta = read_meta(f.get(), path);
    if (meta.nranks != nranks) {
        throw mismatch(path, "checkpoint was written by " + std::to_string(meta.nranks) +
                                 " ranks, this job has " + std::to_string(nranks));
    }

    // Metadata phase: every rank reads the same metadata, so every rank throws alike.
    std::vector<opened_buffer> opened;
    opened.reserve(bufs.size());
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        try {
            opened.push_back(check_buffer(path, bufs[i], tables[i], f.get(), rank));
        } catch (const hdf5_error& e) {
            throw corrupt(path, "buffer '" + bufs[i].name + "': " + e.detail());
        }
    }

    // Data phase: every rank makes every collective read; problems are thrown at the end.
    std::optional<corrupt_error> problem;
    plist dxpl = collective_dxpl();
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        const buffer_desc& b = bufs[i];
        const std::string failure =
            transfer_block(false, opened[i].ds.get(), b, opened[i].start, dxpl.get());
        if (!failure.empty()) {
            if (!problem) problem = corrupt(path, "cannot read '" + b.name + "': " + failure);
            continue;
        }
        const std::uint64_t stored = opened[i].checksums[static_cast<std::size_t>(rank)];
        const std::uint64_t computed = hash_buffer(b);
        if (stored != computed && !problem) {
            problem = corrupt(path, "checksum mismatch in '" + b.name + "' for rank " +
                                        std::to_string(rank) + " (stored " + hex(stored) +
                                        ", computed " + hex(computed) + ")");
        }
    }
    opened.clear();
    f.reset();
    if (problem) throw *problem;
    return meta;
}

}  // namespace cairn::detail
