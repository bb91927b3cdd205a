#include "tier.hpp"

#include "../error.hpp"
#include "../mpi/comm.hpp"
#include "../naming.hpp"
#include "image.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>

namespace cairn::detail {

namespace {

constexpr int tag_size = 7301;
constexpr int tag_data = 7302;
constexpr std::size_t chunk = 1U << 30;

std::string rank_list(const std::vector<int>& ranks) {
    std::string s;
    for (const int r : ranks) s += (s.empty() ? "" : ",") + std::to_string(r);
    return s;
}

// Point-to-point transfer of byte strings: every rank sends `out` (if `to` >= 0) and receives
// one string from each rank in `from`. Sizes first, then the bytes in chunks.
std::vector<std::vector<unsigned char>> transfer(MPI_Comm comm, int to,
                                                 const std::vector<unsigned char>* out,
                                                 const std::vector<int>& from) {
    std::vector<unsigned long long> sizes(from.size(), 0);
    unsigned long long mine = out != nullptr ? out->size() : 0;
    std::vector<MPI_Request> reqs;
    for (std::size_t i = 0; i < from.size(); ++i) {
        reqs.emplace_back();
        check_mpi(MPI_Irecv(&sizes[i], 1, MPI_UNSIGNED_LONG_LONG, from[i], tag_size, comm,
                            &reqs.back()),
                  "MPI_Irecv");
    }
    if (to >= 0) {
        reqs.emplace_back();
        check_mpi(MPI_Isend(&mine, 1, MPI_UNSIGNED_LONG_LONG, to, tag_size, comm, &reqs.back()),
                  "MPI_Isend");
    }
    check_mpi(MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE),
              "MPI_Waitall");
    reqs.clear();
    std::vector<std::vector<unsigned char>> in(from.size());
    for (std::size_t i = 0; i < from.size(); ++i) {
        in[i].resize(sizes[i]);
        for (std::size_t at = 0; at < in[i].size(); at += chunk) {
            reqs.emplace_back();
            check_mpi(MPI_Irecv(in[i].data() + at,
                                static_cast<int>(std::min(chunk, in[i].size() - at)), MPI_BYTE,
                                from[i], tag_data, comm, &reqs.back()),
                      "MPI_Irecv");
        }
    }
    if (to >= 0 && out != nullptr) {
        for (std::size_t at = 0; at < out->size(); at += chunk) {
            reqs.emplace_back();
            check_mpi(MPI_Isend(out->data() + at, static_cast<int>(std::min(chunk, out->size() - at)),
                                MPI_BYTE, to, tag_data, comm, &reqs.back()),
                      "MPI_Isend");
        }
    }
    check_mpi(MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE),
              "MPI_Waitall");
    return in;
}

}  // namespace

node_tier::node_tier(const config& cfg, MPI_Comm user, MPI_Comm io)
    : cfg_(cfg), comm_(io), store_("") {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    table_ = discover_nodes(user, cfg_.node_split);
    node_ = table_.node_of[static_cast<std::size_t>(rank_)];
    leader_ = table_.local_of[static_cast<std::size_t>(rank_)] == 0;
    partner_ = partner_of(table_, rank_, cfg_.partner);
    sources_ = partner_sources(table_, rank_, cfg_.partner);
    store_ = local_store(join_path(cfg_.local_dir, table_.names[static_cast<std::size_t>(node_)]));
    if (cfg_.partner > 0 && partner_ < 0) {
        log(1, "local tier: no partner copies (" + std::to_string(table_.nodes()) +
                   " node(s), partner distance " + std::to_string(cfg_.partner) +
                   " leads back to the same node)");
    }
    log(2, "local tier: " + std::to_string(table_.nodes()) + " node(s); rank 0 on " +
               table_.names[static_cast<std::size_t>(node_)] + ", directory " + store_.dir() +
               (partner_ >= 0 ? ", partner copy on rank " + std::to_string(partner_) : ""));
}

void node_tier::log(int level, const std::string& msg) const {
    if (rank_ == 0 && cfg_.verbose >= level) std::fprintf(stderr, "cairn: %s\n", msg.c_str());
}

void node_tier::scan(checkpointer& ck) {
    ck.scan();
    unsigned long long hi = 0;
    std::string err;
    try {
        for (auto e : store_.committed()) hi = std::max<unsigned long long>(hi, e);
        for (auto e : store_.uncommitted()) hi = std::max<unsigned long long>(hi, e);
    } catch (const std::exception& e) {
        err = where() + ": " + e.what();
    }
    const std::string first = first_message(comm_, !err.empty(), err);
    if (!first.empty()) throw cairn::error(first);
    unsigned long long all = 0;
    check_mpi(MPI_Allreduce(&hi, &all, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, comm_), "MPI_Allreduce");
    next_epoch_ = std::max<std::uint64_t>({next_epoch_, all + 1, ck.next_epoch()});
    scanned_ = true;
}

void node_tier::update_markers(const tier_marker& m) {
    last_marker_ = m;
    if (!leader_) return;
    try {
        store_.write_marker(m);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cairn: %s: warning: cannot record checkpoint %llu in %s: %s\n",
                     where().c_str(), static_cast<unsigned long long>(m.epoch),
                     store_.dir().c_str(), e.what());
    }
}

std::string node_tier::exchange_partner(std::uint64_t e, const std::vector<unsigned char>& img) {
    std::vector<std::vector<unsigned char>> in = transfer(comm_, partner_, &img, sources_);
    std::string err;
    for (std::size_t i = 0; i < in.size() && err.empty(); ++i) {
        const std::string bad = check_image(in[i]);
        if (!bad.empty()) {
            err = where() + ": partner copy of rank " + std::to_string(sources_[i]) + ": " + bad;
            break;
        }
        try {
            store_.write_durable(store_.partner_path(e, sources_[i]), in[i]);
        } catch (const std::exception& ex) {
            err = where() + ": partner copy of rank " + std::to_string(sources_[i]) + ": " +
                  ex.what();
        }
    }
    return err;
}

void node_tier::apply_retention(std::uint64_t newest) {
    if (!leader_) return;
    try {
        for (auto e : retention_victims(store_.committed(), cfg_.keep, newest)) {
            const std::string why = store_.remove_epoch(e);
            if (!why.empty()) {
                std::fprintf(stderr, "cairn: %s: warning: cannot remove old local checkpoint: %s\n",
                             where().c_str(), why.c_str());
            }
        }
        for (auto e : store_.uncommitted()) {
            if (e < newest) store_.remove_epoch(e);
        }
    } catch (const std::exception& ex) {
        std::fprintf(stderr, "cairn: %s: warning: local tier retention skipped: %s\n",
                     where().c_str(), ex.what());
    }
}

bool node_tier::flush_to_shared(checkpointer& ck, const checkpoint_meta& meta,
                                const std::vector<buffer_desc>& bufs, const channel_state& chan,
                                std::string& why) {
    ck.set_next_epoch(meta.epoch);
    if (ck.next_epoch() != meta.epoch) {
        why = "the shared directory " + cfg_.dir + " already holds a newer checkpoint (next epoch " +
              std::to_string(ck.next_epoch()) + ")";
        return false;
    }
    const commit_result r = ck.write(meta, bufs, chan);
    if (!r.ok) why = r.error;
    return r.ok;
}

commit_result node_tier::commit(checkpointer& ck, checkpoint_meta meta,
                                const std::vector<buffer_desc>& bufs, const channel_state& chan,
                                bool force_flush) {
    commit_result res;
    const double t0 = MPI_Wtime();
    try {
        if (!scanned_) scan(ck);
    } catch (const std::exception& e) {
        res.error = e.what();
        return res;
    }
    const std::uint64_t e = std::max(next_epoch_, ck.next_epoch());
    res.epoch = meta.epoch = e;

    // 1. This rank's image in its node's directory; committed when every rank has written.
    std::string err;
    std::vector<unsigned char> img;
    try {
        img = build_image(meta, rank_, bufs, chan);
        store_.write_durable(store_.own_path(e, rank_), img);
    } catch (const std::exception& ex) {
        err = where() + ": " + ex.what();
    }
    res.error = first_message(comm_, !err.empty(), err);
    if (!res.error.empty()) {
        store_.remove_rank_files(e, rank_);
        next_epoch_ = e + 1;  // the epoch's directory may hold files of other ranks
        res.error = "checkpoint " + std::to_string(e) + " not committed to the local tier: " +
                    res.error;
        res.seconds = MPI_Wtime() - t0;
        return res;
    }
    next_epoch_ = e + 1;
    tier_marker m;
    m.epoch = e;
    m.nranks = size_;
    m.dir = cfg_.dir;
    update_markers(m);
    const double t_local = MPI_Wtime();

    // 2. Partner copy: every image to the same local index on node (n + partner) mod nodes.
    const int nodes = table_.nodes();
    if (cfg_.partner > 0 && nodes >= 2 && cfg_.partner % nodes != 0) {
        err = exchange_partner(e, img);
        const std::string first = first_message(comm_, !err.empty(), err);
        if (first.empty()) {
            m.partner = true;
            update_markers(m);
        } else {
            log(0, "warning: partner copies of checkpoint " + std::to_string(e) +
                       " incomplete (the local copies stand): " + first);
        }
    }
    img.clear();
    img.shrink_to_fit();
    const double t_partner = MPI_Wtime();

    // 3. Flush to the shared directory per policy.
    const bool flush = force_flush || cfg_.flush == flush_mode::every ||
                       (cfg_.flush == flush_mode::every_k && e % cfg_.flush_every == 0);
    if (flush) {
        std::string why;
        if (flush_to_shared(ck, meta, bufs, chan, why)) {
            m.shared = true;
            update_markers(m);
        } else {
            log(0, "warning: checkpoint " + std::to_string(e) +
                       " not flushed to the shared directory (it is committed in the local "
                       "tier): " + why);
        }
    }
    const double t_flush = MPI_Wtime();
    last_epoch_ = e;
    last_shared_ = m.shared;
    apply_retention(e);

    res.ok = true;
    res.error.clear();
    res.bytes = meta.stats.bytes;
    res.tiers = m.tiers();
    res.path = m.shared ? join_path(cfg_.dir, checkpoint_name(e)) : store_.own_path(e, rank_);
    res.seconds = MPI_Wtime() - t0;
    char line[512];
    std::snprintf(line, sizeof line,
                  "checkpoint %llu committed to the node-local tier (%s) in %.3f s: local %.3f s, "
                  "partner %.3f s, shared %.3f s",
                  static_cast<unsigned long long>(e), res.tiers.c_str(), res.seconds,
                  t_local - t0, t_partner - t_local, t_flush - t_partner);
    log(1, line);
    return res;
}

std::uint64_t node_tier::newest_marker_below(std::uint64_t bound, std::string& skipped) const {
    unsigned long long mine = 0;
    try {
        const auto epochs = store_.committed();
        for (auto it = epochs.rbegin(); it != epochs.rend(); ++it) {
            if (*it >= bound) continue;
            const auto m = store_.read_marker(*it);
            if (!m) continue;
            if (m->nranks != size_ || m->dir != cfg_.dir) {
                if (skipped.empty()) {
                    skipped = "checkpoint " + std::to_string(*it) + " in " + store_.dir() +
                              " belongs to a job with " + std::to_string(m->nranks) +
                              " ranks and shared directory " + m->dir;
                }
                continue;
            }
            mine = *it;
            break;
        }
    } catch (const std::exception& e) {
        skipped = e.what();
    }
    unsigned long long all = 0;
    check_mpi(MPI_Allreduce(&mine, &all, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, comm_),
              "MPI_Allreduce");
    return all;
}

bool node_tier::try_epoch(std::uint64_t e, const std::vector<buffer_desc>& bufs,
                          restore_result& out, std::string& why) {
    const double t0 = MPI_Wtime();
    // 1. Own copy in this node's directory.
    std::optional<rank_image> img;
    std::string local_why;
    const std::string own = store_.own_path(e, rank_);
    try {
        auto bytes = local_store::read(own);
        if (!bytes) {
            local_why = "no local copy";
        } else {
            img = parse_image(std::move(*bytes), own);
            if (img->rank != rank_ || img->meta.epoch != e || img->meta.nranks != size_) {
                img.reset();
                local_why = own + " is the image of another rank, epoch or rank count";
            }
        }
    } catch (const std::exception& ex) {
        local_why = ex.what();
        img.reset();
    }
    std::vector<int> have(static_cast<std::size_t>(size_), 0);
    const int mine = img ? 1 : 0;
    check_mpi(MPI_Allgather(&mine, 1, MPI_INT, have.data(), 1, MPI_INT, comm_), "MPI_Allgather");

    // 2. Partner copies this rank holds for ranks that lack their own.
    std::vector<int> served(static_cast<std::size_t>(size_), 0);
    std::vector<std::vector<unsigned char>> to_send(sources_.size());
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        const int s = sources_[i];
        if (have[static_cast<std::size_t>(s)] != 0) continue;
        const std::string path = store_.partner_path(e, s);
        try {
            auto bytes = local_store::read(path);
            if (bytes && check_image(*bytes).empty()) {
                to_send[i] = std::move(*bytes);
                served[static_cast<std::size_t>(s)] = 1;
            } else if (bytes && cfg_.verbose >= 1) {
                std::fprintf(stderr, "cairn: %s: partner copy %s of rank %d is not usable: %s\n",
                             where().c_str(), path.c_str(), s, check_image(*bytes).c_str());
            }
        } catch (const std::exception& ex) {
            std::fprintf(stderr, "cairn: %s: %s\n", where().c_str(), ex.what());
        }
    }
    std::vector<int> any(static_cast<std::size_t>(size_), 0);
    check_mpi(MPI_Allreduce(served.data(), any.data(), size_, MPI_INT, MPI_MAX, comm_),
              "MPI_Allreduce");
    std::vector<int> missing;
    std::vector<int> via_partner;
    for (int r = 0; r < size_; ++r) {
        const auto ur = static_cast<std::size_t>(r);
        if (have[ur] == 0 && any[ur] == 0) missing.push_back(r);
        if (have[ur] == 0 && any[ur] != 0) via_partner.push_back(r);
    }
    if (!missing.empty()) {
        const bool first_missing = rank_ == missing.front();
        const std::string reason = first_message(comm_, first_missing, local_why);
        const int r0 = missing.front();
        const int p = partner_of(table_, r0, cfg_.partner);
        why = "checkpoint " + std::to_string(e) + ": the data of rank(s) " + rank_list(missing) +
              " exists nowhere in the local tier (rank " + std::to_string(r0) + " on " +
              table_.names[static_cast<std::size_t>(table_.node_of[static_cast<std::size_t>(r0)])] +
              ": " + reason + "; " +
              (p < 0 ? std::string("no partner copies are configured")
                     : "no valid partner copy on " +
                           table_.names[static_cast<std::size_t>(
                               table_.node_of[static_cast<std::size_t>(p)])]) +
              ")";
        return false;
    }
    if (!local_why.empty() && !img && cfg_.verbose >= 2) {
        std::fprintf(stderr, "cairn: %s: %s; using the partner copy\n", where().c_str(),
                     local_why.c_str());
    }

    // 3. Partner copies travel back to the ranks that need them.
    std::string err;
    {
        // Each holder sends to each source it serves: one transfer per served source.
        std::vector<MPI_Request> reqs;
        std::vector<unsigned long long> sizes(sources_.size());
        for (std::size_t i = 0; i < sources_.size(); ++i) {
            if (served[static_cast<std::size_t>(sources_[i])] == 0) continue;
            sizes[i] = to_send[i].size();
            reqs.emplace_back();
            check_mpi(MPI_Isend(&sizes[i], 1, MPI_UNSIGNED_LONG_LONG, sources_[i], tag_size, comm_,
                                &reqs.back()),
                      "MPI_Isend");
        }
        unsigned long long need = 0;
        if (!img) {
            reqs.emplace_back();
            check_mpi(MPI_Irecv(&need, 1, MPI_UNSIGNED_LONG_LONG, partner_, tag_size, comm_,
                                &reqs.back()),
                      "MPI_Irecv");
        }
        check_mpi(MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE),
                  "MPI_Waitall");
        reqs.clear();
        std::vector<unsigned char> got(need);
        for (std::size_t at = 0; at < got.size(); at += chunk) {
            reqs.emplace_back();
            check_mpi(MPI_Irecv(got.data() + at, static_cast<int>(std::min(chunk, got.size() - at)),
                                MPI_BYTE, partner_, tag_data, comm_, &reqs.back()),
                      "MPI_Irecv");
        }
        for (std::size_t i = 0; i < sources_.size(); ++i) {
            if (served[static_cast<std::size_t>(sources_[i])] == 0) continue;
            for (std::size_t at = 0; at < to_send[i].size(); at += chunk) {
                reqs.emplace_back();
                check_mpi(MPI_Isend(to_send[i].data() + at,
                                    static_cast<int>(std::min(chunk, to_send[i].size() - at)),
                                    MPI_BYTE, sources_[i], tag_data, comm_, &reqs.back()),
                          "MPI_Isend");
            }
        }
        check_mpi(MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE),
                  "MPI_Waitall");
        if (!img) {
            const std::string origin = "partner copy of rank " + std::to_string(rank_) + " from rank " +
                                       std::to_string(partner_);
            try {
                img = parse_image(std::move(got), origin);
                if (img->rank != rank_ || img->meta.epoch != e) {
                    img.reset();
                    err = where() + ": " + origin + " is the image of another rank or epoch";
                }
            } catch (const std::exception& ex) {
                err = where() + ": " + ex.what();
            }
        }
    }
    const std::string bad = first_message(comm_, !err.empty(), err);
    if (!bad.empty()) {
        why = "checkpoint " + std::to_string(e) + ": " + bad;
        return false;
    }

    // 4. Load; a registration mismatch stops the restart like in the shared directory.
    std::string mismatch;
    try {
        load_image(*img, bufs);
    } catch (const std::exception& ex) {
        mismatch = ex.what();
    }
    const std::string first = first_message(comm_, !mismatch.empty(), mismatch);
    if (!first.empty()) {
        throw cairn::error("checkpoint " + std::to_string(e) +
                           " in the node-local tier does not match this job's registration: " +
                           first);
    }
    out.restored = true;
    out.meta = img->meta;
    out.path = own;
    channel_ = std::move(img->channel);
    char line[512];
    std::snprintf(line, sizeof line,
                  "restored checkpoint %llu from the node-local tier: %d rank(s) from local "
                  "copies, %d from partner copies%s (%.3f s)",
                  static_cast<unsigned long long>(e), size_ - static_cast<int>(via_partner.size()),
                  static_cast<int>(via_partner.size()),
                  via_partner.empty() ? "" : (" (ranks " + rank_list(via_partner) + ")").c_str(),
                  MPI_Wtime() - t0);
    log(1, line);
    return true;
}

restore_result node_tier::restore(checkpointer& ck, const std::vector<buffer_desc>& bufs) {
    scan(ck);
    from_shared_ = false;
    unsigned long long shared_newest = 0;
    if (rank_ == 0) {
        try {
            const auto l = list_checkpoints(cfg_.dir);
            if (!l.committed.empty()) shared_newest = l.committed.back();
        } catch (const std::exception&) {  // the shared restore reports it
        }
    }
    check_mpi(MPI_Bcast(&shared_newest, 1, MPI_UNSIGNED_LONG_LONG, 0, comm_), "MPI_Bcast");
    std::uint64_t bound = std::numeric_limits<std::uint64_t>::max();
    std::string why_not;
    std::string skipped;
    for (;;) {
        const std::uint64_t e = newest_marker_below(bound, skipped);
        if (e == 0) break;
        if (e < shared_newest) {
            log(1, "the shared directory holds a newer checkpoint (" +
                       std::to_string(shared_newest) + ") than the local tier (" +
                       std::to_string(e) + ")");
            break;
        }
        restore_result res;
        std::string why;
        if (try_epoch(e, bufs, res, why)) {
            if (!why_not.empty()) log(1, "newer local-tier checkpoints were not usable: " + why_not);
            const auto m = store_.read_marker(e);
            last_epoch_ = e;
            int shared = (m && m->shared) || e == shared_newest ? 1 : 0;
            int all = 0;
            check_mpi(MPI_Allreduce(&shared, &all, 1, MPI_INT, MPI_MAX, comm_), "MPI_Allreduce");
            last_shared_ = all != 0;
            return res;
        }
        log(1, why);
        why_not += (why_not.empty() ? "" : "; ") + why;
        bound = e;
    }
    const std::string skip = first_message(comm_, !skipped.empty(), skipped);
    if (!skip.empty()) log(1, "local tier entries ignored: " + skip);
    if (!why_not.empty()) {
        log(0, "falling back to the newest complete checkpoint in the shared directory " +
                   cfg_.dir + ", because " + why_not);
    }
    from_shared_ = true;
    restore_result r = ck.restore(bufs);
    shared_channel_ = std::move(ck.restored_channel());
    if (r.restored) {
        last_epoch_ = r.meta.epoch;
        last_shared_ = true;
        log(1, "restored checkpoint " + std::to_string(r.meta.epoch) +
                   " from the shared directory");
    }
    return r;
}

void node_tier::final_flush(checkpointer& ck) {
    if (cfg_.flush == flush_mode::every || last_epoch_ == 0 || last_shared_) return;
    const std::uint64_t e = last_epoch_;
    const double t0 = MPI_Wtime();
    std::string err;
    std::optional<rank_image> img;
    const std::string own = store_.own_path(e, rank_);
    try {
        auto bytes = local_store::read(own);
        if (!bytes) throw std::runtime_error(own + " is missing");
        img = parse_image(std::move(*bytes), own);
    } catch (const std::exception& ex) {
        err = where() + ": " + ex.what();
    }
    const std::string first = first_message(comm_, !err.empty(), err);
    if (!first.empty()) {
        log(0, "ERROR: final flush of checkpoint " + std::to_string(e) +
                   " to the shared directory not possible: " + first);
        return;
    }
    std::vector<buffer_desc> descs;
    for (const auto& b : img->buffers) descs.push_back(b.desc);
    std::string why;
    if (!flush_to_shared(ck, img->meta, descs, img->channel, why)) {
        log(0, "ERROR: final flush of checkpoint " + std::to_string(e) +
                   " to the shared directory failed (it stays in the local tier): " + why);
        return;
    }
    last_shared_ = true;
    tier_marker m = last_marker_.epoch == e ? last_marker_ : tier_marker{};
    m.epoch = e;
    m.nranks = size_;
    m.dir = cfg_.dir;
    m.shared = true;
    if (const auto old = store_.read_marker(e)) m.partner = old->partner;
    update_markers(m);
    char line[256];
    std::snprintf(line, sizeof line,
                  "checkpoint %llu flushed to the shared directory at the end of the job (%.3f s)",
                  static_cast<unsigned long long>(e), MPI_Wtime() - t0);
    log(1, line);
}

}  // namespace cairn::detail
