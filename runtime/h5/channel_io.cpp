#include "h5/channel_io.hpp"

#include "storage/checksum.hpp"
#include "common/error.hpp"
#include "h5/direct_blocks.hpp"
#include "h5/format.hpp"
#include "h5/selection.hpp"

#include <cstring>
#include <functional>

namespace cairn::detail::h5 {

namespace {

/// A distributed uint64 description of `rows` x `cols` at row `first` of a [total][cols] table.
buffer_desc table_rows(const std::string& name, std::uint64_t* data, std::uint64_t total,
                       std::uint64_t first, std::uint64_t rows, std::uint64_t cols) {
    buffer_desc b;
    b.name = name;
    b.data = data;
    b.elem = type::uint64;
    b.kind = buffer_kind::distributed;
    b.ndims = 2;
    b.global = {total, cols, 0};
    b.offset = {first, 0, 0};
    b.extent = {rows, cols, 0};
    b.mem_shape = {rows, cols, 0};
    b.count = rows * cols;
    return b;
}

/// A per-rank byte description of `n` payload bytes.
buffer_desc payload_desc(unsigned char* data, std::uint64_t n) {
    buffer_desc b;
    b.name = "channel payload";
    b.data = data;
    b.elem = type::uint8;
    b.kind = buffer_kind::per_rank;
    b.count = n;
    return b;
}

std::uint64_t as_u64(std::int32_t v) {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
}
std::int32_t as_i32(std::uint64_t v) {
    return static_cast<std::int32_t>(static_cast<std::int64_t>(v));
}

std::string path_of(const char* name) {
    return object_path(channel_group, name);
}

}  // namespace

std::uint64_t channel_checksum(const std::vector<std::uint64_t>& records,
                               const std::vector<unsigned char>& payload,
                               const std::array<std::vector<std::uint64_t>, 3>& rows) {
    std::vector<unsigned char> bytes(records.size() * 8 + payload.size() + 3 * rows[0].size() * 8);
    unsigned char* p = bytes.data();
    auto put = [&p](const void* src, std::size_t n) {
        if (n > 0) std::memcpy(p, src, n);
        p += n;
    };
    put(records.data(), records.size() * 8);
    put(payload.data(), payload.size());
    for (const auto& row : rows) put(row.data(), row.size() * 8);
    return hash_bytes(bytes.data(), static_cast<std::size_t>(p - bytes.data()));
}

channel_plan plan_channel(MPI_Comm comm, const channel_state& chan) {
    int rank = 0;
    int nranks = 0;
    check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(comm, &nranks), "MPI_Comm_size");
    const auto p = static_cast<std::size_t>(nranks);
    channel_plan plan;
    const std::vector<std::uint64_t>* counters[3] = {&chan.sent_white, &chan.recv_before,
                                                     &chan.logged};
    std::uint64_t bad_size = 0;
    for (std::size_t k = 0; k < 3; ++k) {
        const auto& v = *counters[k];
        if (!v.empty() && v.size() != p) bad_size = k + 1;
        plan.rows[k] = v.size() == p ? v : std::vector<std::uint64_t>(p, 0);
    }
    plan.payload.reserve(chan.payload_bytes());
    for (const logged_message& m : chan.messages) {
        plan.payload.insert(plan.payload.end(), m.payload.begin(), m.payload.end());
    }

    // Offsets need every rank's sizes: gather counts first, then fill in the records.
    std::uint64_t mine[3] = {chan.messages.size(), plan.payload.size(), bad_size};
    std::vector<std::uint64_t> all(3 * p);
    // NOLINTNEXTLINE(mpi-type-mismatch): std::uint64_t is exactly MPI_UINT64_T
    check_mpi(MPI_Allgather(mine, 3, MPI_UINT64_T, all.data(), 3, MPI_UINT64_T, comm),
              "MPI_Allgather of channel sizes");
    plan.message_index.assign(p + 1, 0);
    plan.payload_index.assign(p + 1, 0);
    for (std::size_t r = 0; r < p; ++r) {
        if (all[3 * r + 2] != 0) {
            throw make_error("rank " + std::to_string(r) + " passed a channel counter vector (" +
                             counter_names[all[3 * r + 2] - 1] +
                             ") whose size is neither 0 nor the rank count " +
                             std::to_string(nranks));
        }
        plan.message_index[r + 1] = plan.message_index[r] + all[3 * r];
        plan.payload_index[r + 1] = plan.payload_index[r] + all[3 * r + 1];
    }
    std::uint64_t offset = plan.payload_index[static_cast<std::size_t>(rank)];
    plan.records.reserve(chan.messages.size() * message_fields);
    for (const logged_message& m : chan.messages) {
        plan.records.insert(plan.records.end(), {static_cast<std::uint64_t>(rank), m.comm_id,
                                                 as_u64(m.source), as_u64(m.tag), m.epoch, offset});
        offset += m.payload.size();
    }
    std::uint64_t sum = channel_checksum(plan.records, plan.payload, plan.rows);
    plan.checksums.resize(p);
    // NOLINTNEXTLINE(mpi-type-mismatch): std::uint64_t is exactly MPI_UINT64_T
    check_mpi(MPI_Allgather(&sum, 1, MPI_UINT64_T, plan.checksums.data(), 1, MPI_UINT64_T, comm),
              "MPI_Allgather of channel checksums");
    return plan;
}

namespace {

/// Creates /cairn/channel with its datasets and /cairn/checksum_channel, writing the index and
/// checksum tables (rank 0 writes them), and calls `raw(ds, k)` for each raw dataset right after
/// its creation: k = 0 payload, 1 messages, 2.. the counter matrices in counter_names order.
void build_channel(hid_t fid, const channel_plan& plan, int rank, hid_t dcpl,
                   deferred_failure& failure, const std::function<void(hid_t, std::size_t)>& raw) {
    const auto p = static_cast<std::uint64_t>(plan.checksums.size());
    std::string what = "H5Gcreate2 ";  // appended: GCC 12 warns falsely on string + literal
    what += channel_group;
    const group g(H5Gcreate2(fid, channel_group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), what);
    raw(create_dataset(fid, path_of("payload"), H5T_STD_U8LE, {plan.payload_index[p]}, dcpl).get(),
        0);
    raw(create_dataset(fid, path_of("messages"), H5T_STD_U64LE,
                       {plan.message_index[p], message_fields}, dcpl)
            .get(),
        1);
    write_table(fid, path_of("message_index"), {p + 1}, plan.message_index, rank, dcpl, failure);
    write_table(fid, path_of("payload_index"), {p + 1}, plan.payload_index, rank, dcpl, failure);
    for (std::size_t k = 0; k < counter_names.size(); ++k) {
        raw(create_dataset(fid, path_of(counter_names[k]), H5T_STD_U64LE, {p, p}, dcpl).get(),
            2 + k);
    }
    write_table(fid, channel_checksum_path, {p}, plan.checksums, rank, dcpl, failure);
}

}  // namespace

void write_channel(hid_t fid, const channel_plan& plan, int rank, hid_t dcpl,
                   deferred_failure& failure) {
    // Every rank creates every dataset (collective metadata); each writes its own part with
    // independent I/O, and skips the write when its part is empty: no collective transfer.
    const auto p = static_cast<std::uint64_t>(plan.checksums.size());
    const auto r = static_cast<std::size_t>(rank);
    build_channel(fid, plan, rank, dcpl, failure, [&](hid_t ds, std::size_t k) {
        buffer_desc b;
        std::uint64_t start = 0;
        if (k == 0) {
            b = payload_desc(const_cast<unsigned char*>(plan.payload.data()), plan.payload.size());
            start = plan.payload_index[r];
        } else if (k == 1) {
            b = table_rows(path_of("messages"), const_cast<std::uint64_t*>(plan.records.data()),
                           plan.message_index[p], plan.message_index[r],
                           plan.records.size() / message_fields, message_fields);
        } else {
            b = table_rows(path_of(counter_names[k - 2]),
                           const_cast<std::uint64_t*>(plan.rows[k - 2].data()), p, r, 1, p);
        }
        if (b.count == 0) return;
        failure.note(transfer_block(true, ds, b, start, H5P_DEFAULT));
    });
}

channel_addresses create_channel(hid_t fid, const channel_plan& plan, hid_t dcpl,
                                 deferred_failure& failure) {
    channel_addresses addr{};
    build_channel(fid, plan, 0, dcpl, failure, [&](hid_t ds, std::size_t k) {
        addr[k] = storage_address(ds).value_or(no_storage);
    });
    return addr;
}

channel_layout read_channel_layout(hid_t fid, int nranks) {
    channel_layout l;
    l.present = path_exists(fid, channel_group);
    if (!l.present) return l;
    const auto p = static_cast<std::size_t>(nranks);
    l.message_index = read_u64_dataset(fid, path_of("message_index"));
    l.payload_index = read_u64_dataset(fid, path_of("payload_index"));
    l.checksums = read_u64_dataset(fid, channel_checksum_path);
    if (l.message_index.size() != p + 1 || l.payload_index.size() != p + 1 ||
        l.checksums.size() != p) {
        throw hdf5_error("channel tables do not have nranks entries");
    }
    for (std::size_t r = 0; r < p; ++r) {
        if (l.message_index[r + 1] < l.message_index[r] ||
            l.payload_index[r + 1] < l.payload_index[r]) {
            throw hdf5_error("channel index tables are not increasing");
        }
    }
    {
        dataset ds(H5Dopen2(fid, path_of("messages").c_str(), H5P_DEFAULT), "H5Dopen2 messages");
        const auto dims = dataset_dims(ds.get());
        if (dims.size() != 2 || dims[0] != l.messages() || dims[1] != message_fields) {
            throw hdf5_error("/cairn/channel/messages does not match message_index");
        }
    }
    {
        dataset ds(H5Dopen2(fid, path_of("payload").c_str(), H5P_DEFAULT), "H5Dopen2 payload");
        const auto dims = dataset_dims(ds.get());
        if (dims.size() != 1 || dims[0] != l.bytes()) {
            throw hdf5_error("/cairn/channel/payload does not match payload_index");
        }
    }
    for (const char* name : counter_names) {
        dataset ds(H5Dopen2(fid, path_of(name).c_str(), H5P_DEFAULT), "H5Dopen2 counters");
        const auto dims = dataset_dims(ds.get());
        if (dims.size() != 2 || dims[0] != p || dims[1] != p) {
            throw hdf5_error(std::string("/cairn/channel/") + name + " is not [nranks][nranks]");
        }
    }
    return l;
}

std::string read_channel(hid_t fid, const channel_layout& layout, int nranks, int rank, hid_t dxpl,
                         channel_state& out) {
    out = channel_state{};
    if (!layout.present) return "";
    const auto p = static_cast<std::uint64_t>(nranks);
    const auto r = static_cast<std::size_t>(rank);
    deferred_failure failure;
    const std::uint64_t first = layout.message_index[r];
    const std::uint64_t nmsg = layout.message_index[r + 1] - first;
    const std::uint64_t pstart = layout.payload_index[r];
    const std::uint64_t pbytes = layout.payload_index[r + 1] - pstart;
    std::vector<std::uint64_t> records(nmsg * message_fields);
    std::vector<unsigned char> payload(pbytes);
    std::array<std::vector<std::uint64_t>, 3> rows;
    failure.run([&] {
        dataset ds(H5Dopen2(fid, path_of("messages").c_str(), H5P_DEFAULT), "H5Dopen2 messages");
        buffer_desc b = table_rows("channel messages", records.data(), layout.messages(), first,
                                   nmsg, message_fields);
        failure.note(transfer_block(false, ds.get(), b, 0, dxpl));
    });
    failure.run([&] {
        dataset ds(H5Dopen2(fid, path_of("payload").c_str(), H5P_DEFAULT), "H5Dopen2 payload");
        failure.note(
            transfer_block(false, ds.get(), payload_desc(payload.data(), pbytes), pstart, dxpl));
    });
    for (std::size_t k = 0; k < 3; ++k) {
        rows[k].assign(p, 0);
        failure.run([&] {
            const std::string path = path_of(counter_names[k]);
            dataset ds(H5Dopen2(fid, path.c_str(), H5P_DEFAULT), "H5Dopen2 " + path);
            buffer_desc b = table_rows(path, rows[k].data(), p, r, 1, p);
            failure.note(transfer_block(false, ds.get(), b, 0, dxpl));
        });
    }
    if (failure.first)
        return "cannot read the channel log of rank " + std::to_string(rank) + ": " +
               *failure.first;

    const std::uint64_t computed = channel_checksum(records, payload, rows);
    if (computed != layout.checksums[r]) {
        return "checksum mismatch in the channel log for rank " + std::to_string(rank) +
               " (stored " + hex(layout.checksums[r]) + ", computed " + hex(computed) + ")";
    }
    for (std::uint64_t i = 0; i < nmsg; ++i) {
        const std::uint64_t* rec = &records[i * message_fields];
        const std::uint64_t end =
            i + 1 < nmsg ? rec[message_fields + 5] : layout.payload_index[r + 1];
        if (rec[0] != static_cast<std::uint64_t>(rank) || rec[5] < pstart || end < rec[5] ||
            end > layout.payload_index[r + 1]) {
            return "channel message " + std::to_string(first + i) + " of rank " +
                   std::to_string(rank) + " has an invalid receiver or payload offset";
        }
        logged_message m;
        m.comm_id = static_cast<std::uint32_t>(rec[1]);
        m.source = as_i32(rec[2]);
        m.tag = as_i32(rec[3]);
        m.epoch = static_cast<std::uint32_t>(rec[4]);
        m.payload.assign(payload.begin() + static_cast<std::ptrdiff_t>(rec[5] - pstart),
                         payload.begin() + static_cast<std::ptrdiff_t>(end - pstart));
        out.messages.push_back(std::move(m));
    }
    out.sent_white = std::move(rows[0]);
    out.recv_before = std::move(rows[1]);
    out.logged = std::move(rows[2]);
    return "";
}

void verify_channel_logs(hid_t fid, int nranks, std::vector<std::string>& problems) {
    try {
        const channel_layout ch = read_channel_layout(fid, nranks);
        for (int r = 0; r < nranks && ch.present; ++r) {
            channel_state st;
            const std::string pr = read_channel(fid, ch, nranks, r, H5P_DEFAULT, st);
            if (!pr.empty()) problems.push_back(pr);
        }
    } catch (const hdf5_error& e) {
        problems.push_back("channel log: " + e.detail());
    }
}

}  // namespace cairn::detail::h5
