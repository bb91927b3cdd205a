#include "checkpoint/checkpointer.hpp"

#include "checkpoint/identity.hpp"

#include "common/error.hpp"
#include "common/fault.hpp"
#include "storage/fsutil.hpp"
#include "mpi/comm.hpp"
#include "storage/naming.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>

namespace cairn::detail {

namespace {

double now() { return MPI_Wtime(); }

std::string human_bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        ++u;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f %s", b, units[u]);
    return buf;
}

}  // namespace

checkpointer::checkpointer(const config& cfg, MPI_Comm comm) : cfg_(cfg), comm_(comm), inc_(cfg) {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
}

void checkpointer::log(int level, const std::string& msg) const {
    if (rank_ == 0 && cfg_.verbose >= level) std::fprintf(stderr, "cairn: %s\n", msg.c_str());
}

void checkpointer::scan() {
    unsigned long long next = 1;
    std::string err;
    if (rank_ == 0) {
        try {
            if (!lock_) {
                make_directories(cfg_.dir);
                lock_ = std::make_unique<dir_lock>(cfg_.dir);
            }
            const auto l = list_checkpoints(cfg_.dir);
            std::uint64_t hi = 0;
            for (auto e : l.committed) hi = std::max(hi, e);
            for (auto e : l.temps) hi = std::max(hi, e);
            next = hi + 1;
        } catch (const std::exception& e) {
            err = where() + ": " + e.what();
        }
    }
    const std::string first = first_message(comm_, !err.empty(), err);
    if (!first.empty()) throw cairn::error(first);
    check_mpi(MPI_Bcast(&next, 1, MPI_UNSIGNED_LONG_LONG, 0, comm_), "MPI_Bcast");
    next_epoch_ = std::max<std::uint64_t>(next_epoch_, next);
    scanned_ = true;
}

commit_result checkpointer::write(checkpoint_meta meta, const std::vector<buffer_desc>& bufs,
                                  const channel_state& chan) {
    commit_result res;
    const double t0 = now();
    // Every file carries the run identity, also one flushed from the node-local tier (whose
    // images do not record the run key).
    meta.app_name = cfg_.app_name;
    meta.run_key = cfg_.run_key;
    meta.has_run_key = true;
    if (!scanned_) {
        try {
            scan();
        } catch (const std::exception& e) {
            res.error = e.what();
            res.seconds = now() - t0;
            return res;
        }
    }
    res.epoch = meta.epoch = next_epoch_;
    const std::string tmp = join_path(cfg_.dir, temp_name(meta.epoch));
    const std::string final_path = join_path(cfg_.dir, checkpoint_name(meta.epoch));

    // 1. Directory usable and big enough? (rank 0 checks; everyone learns the answer.) Running
    //    out of space inside HDF5 makes ranks fail at different points of its collective close,
    //    so the space is checked before anything is written.
    // Estimate: every dataset's bytes, 1 MiB alignment padding for datasets of 1 MiB or more
    // (h5/mpio.cpp), and the per-rank metadata tables.
    std::vector<unsigned long long> local(bufs.size() + 1, 0);
    std::vector<unsigned long long> global(bufs.size() + 1, 0);
    for (std::size_t i = 0; i < bufs.size(); ++i) local[i] = bufs[i].bytes();
    local.back() = chan.payload_bytes() + 64ULL * chan.messages.size();
    check_mpi(MPI_Allreduce(local.data(), global.data(), static_cast<int>(global.size()),
                            MPI_UNSIGNED_LONG_LONG, MPI_SUM, comm_),
              "MPI_Allreduce");
    unsigned long long need = 128ULL << 10;
    for (const auto g : global) need += g + g / 100 + (g >= (1ULL << 20) ? (1ULL << 20) : 0);
    need += 1024ULL * static_cast<unsigned long long>(size_) * (bufs.size() + 4);
    std::string err;
    if (rank_ == 0) {
        try {
            make_directories(cfg_.dir);
            check_writable(cfg_.dir);
            std::int64_t avail = available_bytes(cfg_.dir);
            if (avail >= 0 && static_cast<unsigned long long>(avail) < need && remover_.pending()) {
                remover_.wait();  // old checkpoints were still being deleted
                avail = available_bytes(cfg_.dir);
            }
            if (avail >= 0 && static_cast<unsigned long long>(avail) < need) {
                throw std::runtime_error(
                    "not enough space in " + cfg_.dir + " for " + temp_name(meta.epoch) +
                    ": about " + human_bytes(static_cast<double>(need)) + " needed, " +
                    human_bytes(static_cast<double>(avail)) + " available");
            }
            std::string why;
            if (!remove_file(tmp, why)) throw std::runtime_error("cannot remove stale " + tmp + ": " + why);
        } catch (const std::exception& e) {
            err = where() + ": " + e.what();
        }
    }
    res.error = first_message(comm_, !err.empty(), err);
    if (!res.error.empty()) {
        res.seconds = now() - t0;
        return res;
    }

    // 2. Collective write under the temporary name.
    err.clear();
    incremental_plan plan;
    write_timings phases;
    const double t_prepared = now();
    try {
        write_file(tmp, meta, bufs, chan, plan, phases);
    } catch (const std::exception& e) {
        err = e.what();
    }
    res.error = first_message(comm_, !err.empty(), err);
    if (!res.error.empty()) {
        if (rank_ == 0) {
            std::string why;
            remove_file(tmp, why);
        }
        res.error = "checkpoint " + std::to_string(meta.epoch) + " not committed: " + res.error;
        res.seconds = now() - t0;
        return res;
    }

    // 3. Commit: fsync the file, rename, fsync the directory (rank 0), then retention.
    const double t_written = now();
    fault::at(fault::point::written);
    err.clear();
    if (rank_ == 0) {
        try {
            fsync_path(tmp);
            rename_path(tmp, final_path);
            fault::at(fault::point::renamed);
            fsync_parent_dir(final_path);
        } catch (const std::exception& e) {
            err = where() + ": " + e.what();
            std::string why;
            remove_file(tmp, why);
        }
    }
    res.error = first_message(comm_, !err.empty(), err);
    if (!res.error.empty()) {
        res.error = "checkpoint " + std::to_string(meta.epoch) + " not committed: " + res.error;
        res.seconds = now() - t0;
        return res;
    }
    const double t_committed = now();
    ++next_epoch_;
    res.ok = true;
    res.path = final_path;

    unsigned long long total = 0;
    for (std::size_t i = 0; i < bufs.size(); ++i) total += global[i];
    res.bytes = total;
    res.delta = plan.delta;
    res.stored_bytes = plan.delta ? plan.stored_bytes : total;
    const std::string link_text =
        plan.delta ? " (delta of " + std::to_string(plan.link.parent_epoch) + ", base " +
                         std::to_string(plan.link.base_epoch) + ", " +
                         human_bytes(static_cast<double>(plan.stored_bytes)) + " stored)"
                   : "";
    if (cfg_.incremental) inc_.committed(std::move(plan), meta.epoch);

    if (rank_ == 0) {
        try {
            remover_.wait();  // the previous pass's files are gone before this one lists
            const auto l = list_checkpoints(cfg_.dir);
            const auto victims = protect_chains(
                cfg_.dir, l.committed, retention_victims(l.committed, cfg_.keep, meta.epoch));
            // Out of the checkpoint set at once (a rename); the blocks are freed in the background
            // (deleting a large file takes a while; the application need not wait for it).
            std::vector<std::string> doomed;
            auto retire = [&](const std::string& from, std::uint64_t e) {
                const std::string to = join_path(cfg_.dir, removing_name(e));
                std::string why;
                try {
                    rename_path(from, to);
                    doomed.push_back(to);
                    return true;
                } catch (const std::exception& ex) {
                    why = ex.what();
                }
                if (remove_file(from, why)) return true;  // could not rename: delete it here
                log(1, "warning: cannot remove " + from + ": " + why);
                return false;
            };
            for (auto e : victims) {
                const std::string victim = join_path(cfg_.dir, checkpoint_name(e));
                if (retire(victim, e)) log(2, "removed old checkpoint " + victim);
            }
            for (auto e : l.temps) {
                const std::string stale = join_path(cfg_.dir, temp_name(e));
                if (e < meta.epoch && retire(stale, e)) log(1, "removed stale uncommitted file " + stale);
            }
            for (auto e : l.removing) doomed.push_back(join_path(cfg_.dir, removing_name(e)));
            remover_.start(std::move(doomed), [this](const std::string& p, const std::string& why) {
                log(1, "warning: cannot delete " + p + ": " + why);
            });
        } catch (const std::exception& e) {
            log(1, std::string("warning: retention skipped: ") + e.what());
        }
    }
    res.seconds = now() - t0;
    char line[512];
    std::snprintf(line, sizeof line, "checkpoint %llu committed: %s, %s in %.3f s (%.1f MB/s)",
                  static_cast<unsigned long long>(meta.epoch), final_path.c_str(),
                  human_bytes(static_cast<double>(total)).c_str(), res.seconds,
                  res.seconds > 0 ? static_cast<double>(total) / res.seconds / 1e6 : 0.0);
    std::string text = line;
    if (cfg_.deflate_level > 0 && rank_ == 0 && total > 0) {
        const std::int64_t stored = file_size(final_path);
        if (stored >= 0) {
            std::snprintf(line, sizeof line, "; deflate:%d file %s (%.3f of the data)",
                          cfg_.deflate_level, human_bytes(static_cast<double>(stored)).c_str(),
                          static_cast<double>(stored) / static_cast<double>(total));
            text += line;
        }
    }
    log(1, text + link_text);
    if (cfg_.verbose >= 2 && !res.delta) {  // a delta's phases: the "incremental:" line
        std::snprintf(line, sizeof line,
                      "checkpoint %llu on rank 0: checks %.3f s, write %.3f s (checksums %.3f, "
                      "tables %.3f, create %.3f, data %.3f, close %.3f), commit %.3f s, "
                      "retention %.3f s",
                      static_cast<unsigned long long>(meta.epoch), t_prepared - t0,
                      t_written - t_prepared, phases.hash, phases.gather, phases.create,
                      phases.data, phases.close, t_committed - t_written,
                      now() - t_committed);
        log(2, line);
    }
    return res;
}

restore_result checkpointer::restore(const std::vector<buffer_desc>& bufs) {
    scan();  // takes the directory lock
    restore_result res;
    std::vector<unsigned long long> epochs;
    std::string err;
    if (rank_ == 0) {
        try {
            const auto l = list_checkpoints(cfg_.dir);
            epochs.assign(l.committed.rbegin(), l.committed.rend());
            for (auto e : l.temps) {
                log(1, "ignoring uncommitted file " + join_path(cfg_.dir, temp_name(e)) +
                           " (left by an interrupted checkpoint)");
            }
        } catch (const std::exception& e) {
            err = e.what();
        }
    }
    const std::string first = first_message(comm_, !err.empty(), err);
    if (!first.empty()) throw make_error(first);
    int n = static_cast<int>(epochs.size());
    check_mpi(MPI_Bcast(&n, 1, MPI_INT, 0, comm_), "MPI_Bcast");
    epochs.resize(static_cast<std::size_t>(n));
    if (n > 0) {
        check_mpi(MPI_Bcast(epochs.data(), n, MPI_UNSIGNED_LONG_LONG, 0, comm_), "MPI_Bcast");
    }
    if (n == 0) {
        log(2, "no checkpoint in " + cfg_.dir + "; starting from the beginning");
        return res;
    }

    std::vector<std::string> failures;
    std::set<std::uint64_t> bad;  // epochs known not to verify
    inc_.forget();                // the first checkpoint after a restart is full
    for (const auto e : epochs) {
        const std::string path = join_path(cfg_.dir, checkpoint_name(e));
        if (bad.count(e) != 0) continue;
        // Rank 0 tells whether this is a delta and where its chain starts.
        std::optional<delta_link> link;
        std::string link_error;
        std::string foreign;  // rank 0: the file belongs to another run
        if (rank_ == 0) {
            try {
                link = read_delta_link(path);
                foreign = identity_mismatch(path, read_checkpoint_meta(path), cfg_);
            } catch (const std::exception& ex) {
                link_error = ex.what();
            }
        }
        const std::string unreadable = first_message(comm_, !link_error.empty(), link_error);
        if (!unreadable.empty()) {
            log(1, "checkpoint " + path + " is not usable (" + unreadable + ")" +
                       (e != epochs.back() ? "; falling back to the previous one" : ""));
            failures.push_back(path + ": " + unreadable);
            bad.insert(e);
            continue;
        }
        const std::string other_run =
            first_message(comm_, !foreign.empty(), foreign.empty() ? "" : make_error(foreign).what());
        if (!other_run.empty()) {
            if (cfg_.restart != restart_mode::force) {
                throw cairn::error(identity_refusal(other_run));
            }
            log(0, "warning: restart=force: restoring it anyway: " + other_run);
        }
        if (broadcast_link(comm_, link)) {
            if (auto r = restore_chain(e, *link, bufs, bad, failures)) return *r;
            continue;
        }
        const double t0 = now();
        int status = 0;  // 0 ok, 1 corrupt, 2 mismatch
        std::string msg;
        checkpoint_meta meta;
        try {
            restored_channel_ = channel_state{};
            meta = read_checkpoint_file(path, comm_, bufs, restored_channel_, {cfg_.direct_io});
        } catch (const mismatch_error& ex) {
            status = 2;
            msg = ex.what();
        } catch (const std::exception& ex) {
            status = 1;
            msg = ex.what();
        }
        int worst = 0;
        check_mpi(MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, comm_), "MPI_Allreduce");
        if (worst == 0) {
            res.restored = true;
            res.meta = meta;
            res.path = path;
            char line[512];
            std::snprintf(line, sizeof line, "restored checkpoint %llu from %s (%.3f s)",
                          static_cast<unsigned long long>(e), path.c_str(), now() - t0);
            log(1, line);
            return res;
        }
        const std::string why = first_message(comm_, status == worst, msg);
        if (worst == 2) {
            throw cairn::error("checkpoint " + path +
                               " does not match this job's registration: " + why);
        }
        log(1, "checkpoint " + path + " is not usable (" + why + ")" +
                   (e != epochs.back() ? "; falling back to the previous one" : ""));
        failures.push_back(path + ": " + why);
    }
    std::string all;
    for (const auto& f : failures) all += "\n  " + f;
    throw cairn::error("no valid checkpoint in " + cfg_.dir + " (" + std::to_string(n) +
                       " committed, none verifies; files are left in place):" + all);
}

}  // namespace cairn::detail
