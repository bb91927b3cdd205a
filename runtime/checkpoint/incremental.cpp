#include "checkpoint/incremental.hpp"

#include "common/error.hpp"
#include "storage/fsutil.hpp"
#include "storage/naming.hpp"

#include <algorithm>
#include <set>

namespace cairn::detail {

incremental_plan incremental_tracker::prepare(MPI_Comm comm, const std::vector<buffer_desc>& bufs) {
    incremental_plan p;
    const std::size_t block = cfg_.block_size;
    const std::size_t nb = bufs.size();
    std::vector<std::uint64_t> sizes(nb);
    std::vector<const unsigned char*> data(nb);
    std::vector<std::vector<unsigned char>> tmp(nb);
    p.hashes.resize(nb);
    for (std::size_t i = 0; i < nb; ++i) {
        p.names.push_back(bufs[i].name);
        sizes[i] = bufs[i].bytes();
        data[i] = packed_bytes(bufs[i], tmp[i]);
        p.hashes[i] = block_hashes(data[i], sizes[i], block);
    }
    int can = valid_ && links_ < cfg_.full_every && names_ == p.names ? 1 : 0;
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, &can, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
    p.delta = can != 0;
    unsigned long long mine[2] = {0, 0};
    for (std::size_t i = 0; i < nb; ++i) mine[1] += sizes[i];
    if (p.delta) {
        p.link.base_epoch = chain_.front();
        p.link.parent_epoch = chain_.back();
        p.link.block_size = block;
        p.link.chain = chain_;
        p.changes.reserve(nb);
        for (std::size_t i = 0; i < nb; ++i) {
            const bool whole = sizes_[i] != sizes[i];  // size changed: stored whole
            std::vector<unsigned char> spare;
            if (i < spare_.size()) spare = std::move(spare_[i]);
            p.changes.push_back(diff_blocks(data[i], sizes[i], block, p.hashes[i], hashes_[i],
                                            whole, hashes_checksum(p.hashes[i]), std::move(spare)));
            mine[0] += p.changes.back().bytes.size();
        }
    }
    unsigned long long tot[2] = {0, 0};
    check_mpi(MPI_Allreduce(mine, tot, 2, MPI_UNSIGNED_LONG_LONG, MPI_SUM, comm), "MPI_Allreduce");
    p.stored_bytes = p.delta ? tot[0] : tot[1];
    p.total_bytes = tot[1];
    p.sizes = std::move(sizes);
    return p;
}

void incremental_tracker::committed(incremental_plan&& plan, std::uint64_t epoch) {
    if (plan.delta) {
        ++links_;
        chain_.push_back(epoch);
        spare_.resize(plan.changes.size());
        for (std::size_t i = 0; i < plan.changes.size(); ++i) {
            // Kept only while small (a quarter of the buffer): bounded extra memory.
            auto& b = plan.changes[i].bytes;
            if (b.capacity() <= plan.sizes[i] / 4)
                spare_[i] = std::move(b);
            else
                spare_[i] = {};
        }
    } else {
        links_ = 0;
        chain_ = {epoch};
    }
    names_ = std::move(plan.names);
    hashes_ = std::move(plan.hashes);
    sizes_ = std::move(plan.sizes);
    valid_ = true;
}

std::vector<std::uint64_t> protect_chains(const std::string& dir,
                                          const std::vector<std::uint64_t>& committed,
                                          const std::vector<std::uint64_t>& victims) {
    if (victims.empty()) return victims;
    std::set<std::uint64_t> needed;
    for (const auto e : committed) {
        if (std::find(victims.begin(), victims.end(), e) != victims.end()) continue;
        try {
            if (const auto link = read_delta_link(join_path(dir, checkpoint_name(e)))) {
                needed.insert(link->chain.begin(), link->chain.end());
            }
        } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): protects nothing
        }
    }
    std::vector<std::uint64_t> out;
    for (const auto v : victims) {
        if (needed.count(v) == 0) out.push_back(v);
    }
    return out;
}

}  // namespace cairn::detail

namespace cairn::detail {

bool broadcast_link(MPI_Comm comm, std::optional<delta_link>& link) {
    int rank = 0;
    check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
    unsigned long long head[5] = {0, 0, 0, 0, 0};
    if (rank == 0 && link) {
        head[0] = 1;
        head[1] = link->base_epoch;
        head[2] = link->parent_epoch;
        head[3] = link->block_size;
        head[4] = link->chain.size();
    }
    check_mpi(MPI_Bcast(head, 5, MPI_UNSIGNED_LONG_LONG, 0, comm), "MPI_Bcast");
    int nranks = rank == 0 && link ? link->nranks : 0;
    check_mpi(MPI_Bcast(&nranks, 1, MPI_INT, 0, comm), "MPI_Bcast");
    if (head[0] == 0) {
        link.reset();
        return false;
    }
    if (rank != 0) link = delta_link{};
    link->base_epoch = head[1];
    link->parent_epoch = head[2];
    link->block_size = head[3];
    link->nranks = nranks;
    link->chain.resize(head[4]);
    if (head[4] > 0) {
        // NOLINTNEXTLINE(mpi-type-mismatch): std::uint64_t is exactly MPI_UINT64_T
        check_mpi(MPI_Bcast(link->chain.data(), static_cast<int>(head[4]), MPI_UINT64_T, 0, comm),
                  "MPI_Bcast");
    }
    return true;
}

}  // namespace cairn::detail
