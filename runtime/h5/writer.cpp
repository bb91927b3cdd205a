// Writer of checkpoint files (layout: docs/file-format.md): the direct writer where it applies
// (direct_writer.cpp), else every rank through HDF5's MPI-IO driver with collective transfers
// (compression, direct_io = off, big-endian hosts).
#include "storage/checksum.hpp"
#include "common/error.hpp"
#include "common/fault.hpp"
#include "h5/attributes.hpp"
#include "mpi/comm.hpp"
#include "h5/buffer_layout.hpp"
#include "h5/channel_io.hpp"
#include "h5/checkpoint_file.hpp"
#include "h5/dataset_io.hpp"
#include "h5/direct_writer.hpp"
#include "h5/format.hpp"
#include "h5/gather.hpp"
#include "h5/mpio.hpp"
#include "h5/selection.hpp"

namespace cairn::detail {

namespace {

using namespace h5;

void write_buffer(hid_t file, const buffer_desc& b, const block_table& t, int rank, hid_t dcpl,
                  hid_t dxpl, int deflate_level, deferred_failure& failure) {
    const std::vector<hsize_t> dims = stored_dims(b, t);
    {
        plist filtered;
        if (deflate_level > 0) filtered = deflate_dcpl(dims, type_size(b.elem), deflate_level);
        dataset ds =
            create_buffer_dataset(file, b, dims, deflate_level > 0 ? filtered.get() : dcpl);
        const std::string err =
            transfer_block(true, ds.get(), b, t.prefix()[static_cast<std::size_t>(rank)], dxpl);
        if (!err.empty()) failure.note("buffer '" + b.name + "': " + err);
    }
    write_block_positions(file, b, t, rank, dcpl, failure);
    write_table(file, object_path(checksum_group, b.name), {static_cast<hsize_t>(t.counts.size())},
                t.extra, rank, dcpl, failure);
}

}  // namespace

checkpoint_meta as_written(const checkpoint_meta& meta, int nranks) {
    checkpoint_meta m = meta;
    m.format_version = file_format_version;
    m.nranks = nranks;
    m.checksum_algorithm = checksum_algorithm;
    return m;
}

void write_checkpoint_file(const std::string& path, MPI_Comm comm, const checkpoint_meta& meta,
                           const std::vector<buffer_desc>& bufs) {
    write_checkpoint_file(path, comm, meta, bufs, channel_state{});
}

void write_checkpoint_file(const std::string& path, MPI_Comm comm, const checkpoint_meta& meta,
                           const std::vector<buffer_desc>& bufs, const channel_state& chan,
                           const write_options& opts, write_timings* timings) {
    silence_errors();
    write_timings tm;
    if (direct_writer_applies(opts)) {
        write_checkpoint_direct(path, comm, meta, bufs, chan, tm);
        if (timings != nullptr) *timings = tm;
        return;
    }
    phase_clock clock;
    const auto [rank, nranks] = rank_and_size(comm);

    std::vector<std::uint64_t> sums(bufs.size());
    for (std::size_t i = 0; i < bufs.size(); ++i) sums[i] = hash_buffer(bufs[i]);
    clock.lap(tm.hash);
    const std::vector<block_table> tables = gather_blocks(comm, bufs, sums);
    const channel_plan channel = plan_channel(comm, chan);
    clock.lap(tm.gather);

    const checkpoint_meta m = as_written(meta, nranks);

    deferred_failure failure;
    try {
        plist fapl = parallel_fapl(comm);
        file f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
               "cannot create " + path);
        write_meta(f.get(), m);
        create_file_groups(f.get());
        plist dcpl = contiguous_dcpl();
        plist dxpl = collective_dxpl();
        clock.lap(tm.create);
        for (std::size_t i = 0; i < bufs.size(); ++i) {
            if (i == bufs.size() / 2) fault::at(fault::point::write);
            write_buffer(f.get(), bufs[i], tables[i], rank, dcpl.get(), dxpl.get(),
                         opts.deflate_level, failure);
        }
        clock.lap(tm.data);
        write_channel(f.get(), channel, rank, dcpl.get(), failure);
        failure.run([&] { check(H5Fflush(f.get(), H5F_SCOPE_GLOBAL), "H5Fflush " + path); });
        f.close("H5Fclose " + path);
        clock.lap(tm.close);
        if (timings != nullptr) *timings = tm;
    } catch (const hdf5_error& e) {
        throw make_error("cannot write checkpoint " + path + ": " + e.detail());
    }
    if (failure.first) throw make_error("cannot write checkpoint " + path + ": " + *failure.first);
}

}  // namespace cairn::detail
