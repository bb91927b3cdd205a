#include "tier.hpp"

#include "common/error.hpp"
#include "mpi/comm.hpp"
#include "storage/naming.hpp"
#include "image.hpp"
#include "transfer.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>

namespace cairn::detail {

namespace {

constexpr int tag_size = 7301;

std::string rank_list(const std::vector<int>& ranks) {
    std::string s;
    for (const int r : ranks) s += (s.empty() ? "" : ",") + std::to_string(r);
    return s;
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
    if (cfg_.redundancy != redundancy_kind::partner) {
        partner_ = -1;
        sources_.clear();
        setup_parity(user);
    }
    if (!parity_ && cfg_.partner > 0 && partner_ < 0) {
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

std::string node_tier::exchange_partner(std::uint64_t e) {
    // Sizes first, then the own file goes to the partner in chunks while the copies of the
    // sources arrive chunk by chunk, are verified on the fly and written as partner files.
    std::string err;
    std::unique_ptr<file_source> mine;
    unsigned long long my_size = 0;
    if (partner_ >= 0) {
        const std::string own = store_.own_path(e, rank_);
        try {
            mine = std::make_unique<file_source>(own);
            if (mine->ok()) {
                my_size = mine->size();
            } else {
                mine.reset();
                err = where() + ": " + own + " is missing";
            }
        } catch (const std::exception& ex) {
            mine.reset();
            err = where() + ": " + ex.what();
        }
    }
    std::vector<unsigned long long> sizes(sources_.size(), 0);
    std::vector<MPI_Request> reqs;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        reqs.emplace_back();
        check_mpi(MPI_Irecv(&sizes[i], 1, MPI_UNSIGNED_LONG_LONG, sources_[i], tag_size, comm_,
                            &reqs.back()),
                  "MPI_Irecv");
    }
    if (partner_ >= 0) {
        reqs.emplace_back();
        check_mpi(MPI_Isend(&my_size, 1, MPI_UNSIGNED_LONG_LONG, partner_, tag_size, comm_,
                            &reqs.back()),
                  "MPI_Isend");
    }
    check_mpi(MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE),
              "MPI_Waitall");

    chunk_pump pump(comm_, send_buf_, recv_buf_);
    if (mine) pump.send_file(partner_, std::move(mine));
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        const std::string what = "partner copy of rank " + std::to_string(sources_[i]) + ": ";
        const piece_fn* sink = nullptr;
        chunk_pump::incoming in(pump, sources_[i], sizes[i],
                                [&sink](const unsigned char* p, std::size_t n) {
                                    if (sink != nullptr) (*sink)(p, n);
                                });
        try {
            store_.write_durable(store_.partner_path(e, sources_[i]), [&](const piece_fn& put) {
                sink = &put;
                const std::string bad = verify_image(in, sizes[i]);
                sink = nullptr;
                if (!bad.empty()) throw std::runtime_error(bad);  // the .tmp file is removed
            }, /*transient=*/true);
        } catch (const std::exception& ex) {
            if (err.empty()) err = where() + ": " + what + ex.what();
        }
        sink = nullptr;
        in.drain();  // whatever was not consumed, so that the sender completes
    }
    const std::string send_err = pump.finish();
    if (err.empty() && !send_err.empty()) {
        err = where() + ": sending the partner copy: " + send_err;
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
    const int nodes = table_.nodes();
    const bool with_partner = !parity_ && cfg_.redundancy == redundancy_kind::partner &&
                              cfg_.partner > 0 && nodes >= 2 && cfg_.partner % nodes != 0;
    try {
        // Written straight from the buffers (the staging copy in non-blocking mode).
        image_writer w(meta, rank_, bufs, chan);
        store_.write_durable(store_.own_path(e, rank_),
                             [&w](const piece_fn& put) { w.emit(put); });
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
    m.redundancy = redundancy_name(cfg_);
    update_markers(m);
    const double t_local = MPI_Wtime();

    // 2. Partner copy: every image to the same local index on node (n + partner) mod nodes.
    if (with_partner) {
        err = exchange_partner(e);
        const std::string first = first_message(comm_, !err.empty(), err);
        if (first.empty()) {
            m.partner = true;
            update_markers(m);
        } else {
            log(0, "warning: partner copies of checkpoint " + std::to_string(e) +
                       " incomplete (the local copies stand): " + first);
        }
    }
    // 2'. Or parity: every set's members exchange segments and write their parity shares.
    if (parity_ && !parity_->layout().sets.empty()) {
        err = parity_->encode(store_, e, size_);
        const std::string first = first_message(comm_, !err.empty(), err);
        if (first.empty()) {
            m.partner = true;
            update_markers(m);
        } else {
            log(0, "warning: parity (" + m.redundancy + ") of checkpoint " + std::to_string(e) +
                       " incomplete (the local copies stand): " + first);
        }
    }
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
                  "%s %.3f s, shared %.3f s",
                  static_cast<unsigned long long>(e), res.tiers.c_str(), res.seconds,
                  t_local - t0, parity_ ? "parity" : "partner", t_partner - t_local,
                  t_flush - t_partner);
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
    if (parity_) return try_epoch_parity(e, bufs, out, why, t0);
    // 1. Own copy in this node's directory, read straight into the registered buffers.
    std::optional<image_head> img;
    std::string local_why;
    std::string mismatch;  // the image is sound but does not fit the registration
    const std::string own = store_.own_path(e, rank_);
    const head_check accept = [&](const image_head& h) {
        if (h.rank != rank_ || h.meta.epoch != e || h.meta.nranks != size_) {
            throw corrupt_error(own + " is the image of another rank, epoch or rank count");
        }
    };
    try {
        file_source src(own);
        if (!src.ok()) {
            local_why = "no local copy";
        } else {
            img = read_image(src, src.size(), own, accept, bufs);
        }
    } catch (const mismatch_error& ex) {
        mismatch = ex.what();
        img = image_head{};  // counts as present: the restart stops below
    } catch (const std::exception& ex) {
        local_why = ex.what();
        img.reset();
    }
    std::vector<int> have(static_cast<std::size_t>(size_), 0);
    const int mine = img ? 1 : 0;
    check_mpi(MPI_Allgather(&mine, 1, MPI_INT, have.data(), 1, MPI_INT, comm_), "MPI_Allgather");

    // 2. Partner copies this rank holds for ranks that lack their own.
    std::vector<int> served(static_cast<std::size_t>(size_), 0);
    std::vector<std::unique_ptr<file_source>> to_send(sources_.size());
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        const int s = sources_[i];
        if (have[static_cast<std::size_t>(s)] != 0) continue;
        const std::string path = store_.partner_path(e, s);
        try {
            file_source check(path);  // verified by streaming it once, then sent from the file
            if (!check.ok()) continue;
            const std::string bad = verify_image(check, check.size());
            if (bad.empty()) {
                to_send[i] = std::make_unique<file_source>(path);
                served[static_cast<std::size_t>(s)] = to_send[i]->ok() ? 1 : 0;
                if (!to_send[i]->ok()) to_send[i].reset();
            } else if (cfg_.verbose >= 1) {
                std::fprintf(stderr, "cairn: %s: partner copy %s of rank %d is not usable: %s\n",
                             where().c_str(), path.c_str(), s, bad.c_str());
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

    // 3. Partner copies travel back to the ranks that need them, in chunks: the holder sends
    // from the file, the rank that lacks its image reads them straight into its buffers.
    std::string err;
    {
        std::vector<MPI_Request> reqs;
        std::vector<unsigned long long> sizes(sources_.size());
        for (std::size_t i = 0; i < sources_.size(); ++i) {
            if (!to_send[i]) continue;
            sizes[i] = to_send[i]->size();
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
        chunk_pump pump(comm_, send_buf_, recv_buf_);
        for (std::size_t i = 0; i < sources_.size(); ++i) {
            if (to_send[i]) pump.send_file(sources_[i], std::move(to_send[i]));
        }
        if (!img) {
            const std::string origin = "partner copy of rank " + std::to_string(rank_) +
                                       " from rank " + std::to_string(partner_);
            chunk_pump::incoming in(pump, partner_, need);
            try {
                img = read_image(in, need, origin,
                                 [&](const image_head& h) {
                                     if (h.rank != rank_ || h.meta.epoch != e) {
                                         throw corrupt_error(origin + " is the image of another "
                                                                      "rank or epoch");
                                     }
                                 },
                                 bufs);
            } catch (const mismatch_error& ex) {
                mismatch = ex.what();
            } catch (const corrupt_error& ex) {
                const std::string what = ex.what();
                err = where() + ": " + (what.rfind(origin, 0) == 0 ? what : origin + ": " + what);
            } catch (const std::exception& ex) {
                err = where() + ": " + ex.what();
            }
            in.drain();
        }
        const std::string send_err = pump.finish();
        if (!send_err.empty()) {
            std::fprintf(stderr, "cairn: %s: sending a partner copy back: %s\n", where().c_str(),
                         send_err.c_str());
        }
    }
    const std::string bad = first_message(comm_, !err.empty(), err);
    if (!bad.empty()) {
        why = "checkpoint " + std::to_string(e) + ": " + bad;
        return false;
    }

    // 4. Loaded already; a registration mismatch stops the restart like in the shared directory.
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
        if (const auto mk = store_.read_marker(e); mk && mk->redundancy != redundancy_name(cfg_)) {
            why += " (checkpoint " + std::to_string(e) + " was written with redundancy = " +
                   mk->redundancy + ", this job uses " + redundancy_name(cfg_) + ")";
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
    m.redundancy = redundancy_name(cfg_);
    if (const auto old = store_.read_marker(e)) {
        m.partner = old->partner;
        m.redundancy = old->redundancy;
    }
    update_markers(m);
    char line[256];
    std::snprintf(line, sizeof line,
                  "checkpoint %llu flushed to the shared directory at the end of the job (%.3f s)",
                  static_cast<unsigned long long>(e), MPI_Wtime() - t0);
    log(1, line);
}

}  // namespace cairn::detail
