// The direct writer of checkpoint files: rank 0 alone creates the HDF5 structure (serial driver:
// attributes, groups, datasets, tables) and every rank writes its own raw data at the datasets'
// addresses with positional I/O, O_DIRECT where the file system has it. No MPI-IO open, close or
// collective transfer: a handful of small collectives in all (docs/tuning.md, "I/O performance").
// The file is the same as the MPI-IO writer's (docs/file-format.md).
#include "h5/direct_writer.hpp"
#include "storage/checksum.hpp"
#include "storage/direct_io.hpp"
#include "common/error.hpp"
#include "common/fault.hpp"
#include "h5/attributes.hpp"
#include "h5/buffer_layout.hpp"
#include "h5/channel_io.hpp"
#include "h5/direct_blocks.hpp"
#include "h5/format.hpp"
#include "h5/gather.hpp"
#include "h5/mpio.hpp"
#include "h5/open.hpp"
#include "mpi/comm.hpp"

#include <algorithm>
#include <bit>
#include <functional>
#include <optional>
#include <tuple>

namespace cairn::detail {

namespace {

using namespace h5;

/// Rank 0: the file's structure and every table known before the data, the checksum tables
/// excepted (written by finish()). Returns the raw datasets' addresses: the buffers' data, then
/// the channel's payload, messages and three counter matrices.
class structure {
public:
    structure(const std::string& path, const checkpoint_meta& m,
              const std::vector<buffer_desc>& bufs, const std::vector<block_table>& tables,
              const channel_plan& channel) {
        file_ = create_serial(path);
        const hid_t f = file_.get();
        write_meta(f, m);
        create_file_groups(f);
        plist dcpl = contiguous_dcpl();
        for (std::size_t i = 0; i < bufs.size(); ++i) {
            const dataset ds =
                create_buffer_dataset(f, bufs[i], stored_dims(bufs[i], tables[i]), dcpl.get());
            addresses_.push_back(storage_address(ds.get()).value_or(no_storage));
            write_block_positions(f, bufs[i], tables[i], 0, dcpl.get(), failure_);
        }
        const channel_addresses ch = create_channel(f, channel, dcpl.get(), failure_);
        addresses_.insert(addresses_.end(), ch.begin(), ch.end());
        if (failure_.first) throw hdf5_error(*failure_.first);
    }

    [[nodiscard]] const std::vector<std::uint64_t>& addresses() const { return addresses_; }

    /// Writes the checksum tables (`sums[r * nbufs + i]`: rank r's checksum of buffer i) and
    /// closes the file. Throws hdf5_error.
    void finish(const std::vector<buffer_desc>& bufs, const std::vector<std::uint64_t>& sums,
                int nranks) {
        plist dcpl = contiguous_dcpl();
        const std::size_t nb = bufs.size();
        for (std::size_t i = 0; i < nb; ++i) {
            std::vector<std::uint64_t> column(static_cast<std::size_t>(nranks));
            for (std::size_t r = 0; r < column.size(); ++r) column[r] = sums[r * nb + i];
            write_table(file_.get(), object_path(checksum_group, bufs[i].name),
                        {static_cast<hsize_t>(nranks)}, column, 0, dcpl.get(), failure_);
        }
        if (failure_.first) throw hdf5_error(*failure_.first);
        file_.close("H5Fclose");
    }

private:
    file file_;
    std::vector<std::uint64_t> addresses_;
    deferred_failure failure_;
};

/// Writes `runs` of a block at `base` (the dataset's address), hashing the bytes in order.
void write_runs(direct_file& out, std::uint64_t base, const std::vector<file_run>& runs,
                streaming_hash& h) {
    for (const file_run& r : runs) {
        out.write(base + r.offset, r.mem, r.bytes,
                  [&h](const unsigned char* piece, std::size_t n) { h.update(piece, n); });
    }
}

}  // namespace

std::vector<std::uint64_t> addresses_from_rank0(
    MPI_Comm comm, std::size_t n, const std::string& path,
    const std::function<std::vector<std::uint64_t>()>& create) {
    int rank = 0;
    check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
    std::vector<std::uint64_t> addr(n, no_storage);
    std::string err;
    if (rank == 0) {
        try {
            addr = create();
            if (addr.size() != n) throw std::logic_error("wrong number of dataset addresses");
        } catch (const hdf5_error& e) {
            err = make_error("cannot write checkpoint " + path + ": " + e.detail()).what();
        } catch (const std::exception& e) {
            err = make_error("cannot write checkpoint " + path + ": " + e.what()).what();
        }
    }
    const std::string create_error = first_message(comm, !err.empty(), err);
    if (!create_error.empty()) throw cairn::error(create_error);
    if (n > 0) {
        // NOLINTNEXTLINE(mpi-type-mismatch): std::uint64_t is exactly MPI_UINT64_T
        check_mpi(MPI_Bcast(addr.data(), static_cast<int>(n), MPI_UINT64_T, 0, comm),
                  "MPI_Bcast of dataset addresses");
    }
    return addr;
}

void write_range(direct_file& out, std::uint64_t base, std::uint64_t offset, const void* mem,
                 std::size_t bytes) {
    if (bytes == 0) return;
    if (base == no_storage) throw std::runtime_error("a dataset with data to write has no storage");
    out.write(base + offset, mem, bytes);
}

void write_channel_part(direct_file& out, const channel_addresses& addr, const channel_plan& plan,
                        int rank) {
    const auto r = static_cast<std::size_t>(rank);
    const auto p = static_cast<std::uint64_t>(plan.checksums.size());
    write_range(out, addr[0], plan.payload_index[r], plan.payload.data(), plan.payload.size());
    write_range(out, addr[1], plan.message_index[r] * message_fields * sizeof(std::uint64_t),
                plan.records.data(), plan.records.size() * sizeof(std::uint64_t));
    for (std::size_t k = 0; k < counter_names.size(); ++k) {
        write_range(out, addr[2 + k], r * p * sizeof(std::uint64_t), plan.rows[k].data(),
                    plan.rows[k].size() * sizeof(std::uint64_t));
    }
}

bool direct_writer_applies(const write_options& opts) {
    return opts.direct_io && opts.deflate_level == 0 && std::endian::native == std::endian::little;
}

void write_checkpoint_direct(const std::string& path, MPI_Comm comm, const checkpoint_meta& meta,
                             const std::vector<buffer_desc>& bufs, const channel_state& chan,
                             write_timings& tm) {
    silence_errors();
    phase_clock clock;
    int rank = 0;
    int nranks = 0;
    check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(comm, &nranks), "MPI_Comm_size");
    const std::size_t nb = bufs.size();

    // Every rank's sizes and layouts (checksums follow the data: they are computed while it is
    // written), and the channel plan.
    const std::vector<block_table> tables = gather_blocks(comm, bufs, {});
    const channel_plan channel = plan_channel(comm, chan);
    clock.lap(tm.gather);

    const checkpoint_meta m = as_written(meta, nranks);

    // Rank 0 creates the structure; everyone learns the raw datasets' addresses.
    std::optional<structure> st;
    const std::vector<std::uint64_t> addr =
        addresses_from_rank0(comm, nb + std::tuple_size_v<channel_addresses>, path, [&] {
            st.emplace(path, m, bufs, tables, channel);
            return st->addresses();
        });
    clock.lap(tm.create);

    // Every rank: its blocks, checksummed as they are written, then its part of the channel log.
    // A failure is remembered and reported after the last collective call below.
    std::vector<std::uint64_t> sums(nb, 0);
    std::string err;
    std::optional<direct_file> out;
    std::optional<streaming_hash> h;
    try {
        out.emplace(path, true, true);
        h.emplace();
    } catch (const std::exception& e) {
        err = e.what();
    }
    for (std::size_t i = 0; i < nb; ++i) {
        if (i == nb / 2) fault::at(fault::point::write);
        const buffer_desc& b = bufs[i];
        if (!err.empty()) continue;
        try {
            const auto runs = block_file_runs(b, tables[i].prefix()[static_cast<std::size_t>(rank)]);
            if (!runs.empty() && addr[i] == no_storage) {
                throw std::runtime_error("dataset has no storage");
            }
            h->reset();
            write_runs(*out, addr[i], runs, *h);
            sums[i] = h->digest();
        } catch (const std::exception& e) {
            err = "buffer '" + b.name + "': " + e.what();
        }
    }
    if (err.empty()) {
        try {
            channel_addresses ch{};
            std::copy(addr.begin() + static_cast<std::ptrdiff_t>(nb), addr.end(), ch.begin());
            write_channel_part(*out, ch, channel, rank);
        } catch (const std::exception& e) {
            err = std::string("channel log: ") + e.what();
        }
    }
    out.reset();
    clock.lap(tm.data);

    // Rank 0 writes every rank's checksums and closes the file (the metadata goes to disk then;
    // the commit syncs the whole file).
    std::vector<std::uint64_t> all_sums(rank == 0 ? nb * static_cast<std::size_t>(nranks) : 0);
    if (nb > 0) {
        // NOLINTNEXTLINE(mpi-type-mismatch): std::uint64_t is exactly MPI_UINT64_T
        check_mpi(MPI_Gather(sums.data(), static_cast<int>(nb), MPI_UINT64_T, all_sums.data(),
                             static_cast<int>(nb), MPI_UINT64_T, 0, comm),
                  "MPI_Gather of checksums");
    }
    if (rank == 0) {
        try {
            st->finish(bufs, all_sums, nranks);
        } catch (const hdf5_error& e) {
            if (err.empty()) err = e.detail();
        }
    }
    clock.lap(tm.close);
    if (!err.empty()) throw make_error("cannot write checkpoint " + path + ": " + err);
}

}  // namespace cairn::detail
