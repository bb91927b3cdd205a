#include "h5/gather.hpp"

#include "storage/checksum.hpp"
#include "common/error.hpp"
#include "h5/format.hpp"

namespace cairn::detail::h5 {

namespace {

constexpr std::size_t record = 9;  // count, offset[3], extent[3], extra, signature

std::uint64_t signature(const buffer_desc& b) {
    std::string s = b.name + '|' + std::to_string(static_cast<int>(b.kind)) + '|' +
                    std::to_string(static_cast<int>(b.elem));
    if (b.kind == buffer_kind::distributed) {
        s += '|' + std::to_string(b.ndims);
        for (int d = 0; d < b.ndims; ++d) s += ',' + std::to_string(b.global[d]);
    }
    return hash_bytes(s.data(), s.size());
}

void check_block(const buffer_desc& b, int r, const std::uint64_t* rec) {
    if (b.kind != buffer_kind::distributed) return;
    std::uint64_t n = 1;
    for (int d = 0; d < b.ndims; ++d) {
        const std::uint64_t off = rec[1 + d];
        const std::uint64_t ext = rec[4 + d];
        n *= ext;
        if (ext > 0 && (off > b.global[d] || ext > b.global[d] - off)) {
            throw make_error("buffer '" + b.name + "': block of rank " + std::to_string(r) +
                             " at " + shape_text(rec + 1, b.ndims) + " with extent " +
                             shape_text(rec + 4, b.ndims) + " exceeds the global shape " +
                             shape_text(b.global.data(), b.ndims));
        }
    }
    if (n != rec[0]) {
        throw make_error("buffer '" + b.name + "': rank " + std::to_string(r) + " has count " +
                         std::to_string(rec[0]) + " but its extent holds " + std::to_string(n));
    }
}

}  // namespace

std::vector<std::uint64_t> block_table::prefix() const {
    std::vector<std::uint64_t> p(counts.size() + 1, 0);
    for (std::size_t r = 0; r < counts.size(); ++r) p[r + 1] = p[r] + counts[r];
    return p;
}

std::vector<block_table> gather_blocks(MPI_Comm comm, const std::vector<buffer_desc>& bufs,
                                       const std::vector<std::uint64_t>& extra) {
    int nranks = 0;
    check_mpi(MPI_Comm_size(comm, &nranks), "MPI_Comm_size");
    const int n = static_cast<int>(bufs.size());
    int minmax[2] = {-n, n};
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, minmax, 2, MPI_INT, MPI_MAX, comm), "MPI_Allreduce");
    if (-minmax[0] != minmax[1]) {
        throw make_error("ranks passed different numbers of buffers to the checkpoint file (" +
                         std::to_string(-minmax[0]) + " to " + std::to_string(minmax[1]) + ")");
    }
    std::vector<std::uint64_t> mine(bufs.size() * record, 0);
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        const buffer_desc& b = bufs[i];
        std::uint64_t* rec = &mine[i * record];
        rec[0] = b.count;
        if (b.kind == buffer_kind::distributed) {
            for (int d = 0; d < b.ndims && d < 3; ++d) {
                rec[1 + d] = b.offset[d];
                rec[4 + d] = b.extent[d];
            }
        }
        rec[7] = i < extra.size() ? extra[i] : 0;
        rec[8] = signature(b);
    }
    std::vector<std::uint64_t> all(mine.size() * static_cast<std::size_t>(nranks));
    // NOLINTNEXTLINE(mpi-type-mismatch): std::uint64_t is exactly MPI_UINT64_T
    check_mpi(MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_UINT64_T, all.data(),
                            static_cast<int>(mine.size()), MPI_UINT64_T, comm),
              "MPI_Allgather of buffer layouts");

    std::vector<block_table> tables(bufs.size());
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        const buffer_desc& b = bufs[i];
        if (b.ndims < 1 || b.ndims > 3) {
            throw make_error("buffer '" + b.name + "' has " + std::to_string(b.ndims) +
                             " dimensions (1 to 3 supported)");
        }
        block_table& t = tables[i];
        t.counts.resize(static_cast<std::size_t>(nranks));
        t.layout.assign(static_cast<std::size_t>(nranks) * 6, 0);
        t.extra.resize(static_cast<std::size_t>(nranks));
        for (int r = 0; r < nranks; ++r) {
            const std::uint64_t* rec =
                &all[(static_cast<std::size_t>(r) * bufs.size() + i) * record];
            if (rec[8] != all[i * record + 8]) {  // compared with rank 0's
                throw make_error("rank " + std::to_string(r) + " passed buffer #" +
                                 std::to_string(i) + " with another name, kind, type or global " +
                                 "shape than rank 0 (this rank: '" + b.name + "')");
            }
            check_block(b, r, rec);
            t.counts[r] = rec[0];
            for (int k = 0; k < 6; ++k) t.layout[static_cast<std::size_t>(r) * 6 + k] = rec[1 + k];
            t.extra[r] = rec[7];
        }
    }
    return tables;
}

}  // namespace cairn::detail::h5
