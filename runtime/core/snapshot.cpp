// Non-blocking checkpoints: copy to staging at the agreed safe point, turn red, let the channel
// phase complete in the background, then hand the snapshot to the I/O thread.
#include "common/error.hpp"
#include "common/fault.hpp"
#include "pmpi/comm_ids.hpp"
#include "pmpi/header.hpp"
#include "pmpi/protocol.hpp"
#include "pmpi/queue.hpp"
#include "pmpi/requests.hpp"
#include "core/runtime.hpp"

#include <sched.h>

#include <chrono>
#include <mutex>

#include <cstdio>
#include <cstring>
#include <fstream>

namespace cairn::detail {

namespace {

constexpr double pull_after_seconds = 0.05;

// Copies a buffer's block into packed (row-major, halo-free) memory; a contiguous block with
// `helper`'s second thread when given.
void pack_block(const buffer_desc& b, unsigned char* out, copy_helper* helper) {
    if (helper != nullptr && b.contiguous()) {
        helper->copy(out, b.data, b.bytes());
        return;
    }
    for_each_block_row(b, [&](const unsigned char* row, std::size_t n) {
        std::memcpy(out, row, n);
        out += n;
    });
}

}  // namespace

void append_stats_log(const config& cfg, const checkpoint_meta& meta, const commit_result& res,
                      const std::string& extra) {
    std::ofstream out(cfg.dir + "/stats.log", std::ios::app);
    if (!out) return;
    char line[512];
    std::snprintf(line, sizeof line,
                  "epoch=%llu time=%s mode=%s bytes=%llu stall_s=%.6f write_s=%.6f "
                  "messages_logged=%llu aborted_epochs=%llu staging_waits=%llu safe_point=%llu\n",
                  static_cast<unsigned long long>(res.epoch), meta.time_iso.c_str(),
                  meta.stats.nonblocking != 0 ? "nonblocking" : "blocking",
                  static_cast<unsigned long long>(meta.stats.bytes), meta.stats.stall_seconds,
                  res.seconds, static_cast<unsigned long long>(meta.stats.messages_logged),
                  static_cast<unsigned long long>(meta.stats.aborted_epochs),
                  static_cast<unsigned long long>(meta.stats.staging_waits),
                  static_cast<unsigned long long>(meta.safe_point));
    std::string text = line;
    if (!res.tiers.empty()) text.insert(text.size() - 1, " tiers=" + res.tiers);
    if (!extra.empty()) text.insert(text.size() - 1, " " + extra);
    out << text;
}

void runtime::start_progress_thread() {
    protocol::get().set_epoch_timeout(cfg_.epoch_timeout);
    stop_progress_ = false;
    progress_wake_ = false;
    progress_thread_ = std::thread([this] {
        // Sleeps until a snapshot is cut, then polls every 500 us until its channel phase is
        // over. Waking periodically while idle cost every rank thousands of context switches a
        // second, which on oversubscribed cores showed up as point-to-point latency.
        std::unique_lock<std::mutex> lock(progress_mu_);
        while (!stop_progress_.load()) {
            if (!protocol::get().busy()) {
                progress_cv_.wait(lock, [this] { return stop_progress_.load() || progress_wake_; });
                progress_wake_ = false;
                continue;
            }
            lock.unlock();
            protocol::get().progress_and_expire();
            complete_in_background();
            std::this_thread::sleep_for(std::chrono::microseconds(500));
            lock.lock();
        }
    });
}

void runtime::complete_in_background() {
    const std::unique_lock<std::recursive_mutex> lock(bg_mu_, std::try_to_lock);
    if (!lock.owns_lock() || !pending_ || !protocol::get().progress()) return;
    try {
        finish_snapshot();  // the write and the commit then run on the I/O thread
    } catch (const std::exception& e) {
        log(0, std::string("ERROR while handing a snapshot to the I/O thread: ") + e.what());
    }
}

void runtime::wake_progress_thread() {
    {
        const std::lock_guard<std::mutex> lock(progress_mu_);
        progress_wake_ = true;
    }
    progress_cv_.notify_one();
}

void runtime::stop_progress_thread() {
    {
        const std::lock_guard<std::mutex> lock(progress_mu_);
        stop_progress_ = true;
    }
    progress_cv_.notify_one();
    if (progress_thread_.joinable()) progress_thread_.join();
}

void runtime::stage_buffers() {
    const auto& bufs = reg_.buffers();
    const bool was_busy = prefault_.busy();
    double waited = 0;
    std::string prepare_error;
    staging_map prepared = prefault_.take(waited, prepare_error);
    if (!prepare_error.empty()) log(1, "warning: " + prepare_error + "; allocating at the cut");
    if (was_busy) {
        log(2, "the cut waited " + std::to_string(waited) +
                   " s for the staging memory still being prepared");
    }
    staging_map next;
    staged_.clear();
    last_staging_ = staging_use{};
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        if (i == bufs.size() / 2) fault::at(fault::point::stage);
        const buffer_desc& b = bufs[i];
        const std::size_t n = b.bytes();
        const auto old = staging_.find(b.name);
        const auto ready = prepared.find(b.name);
        staging_memory mem;
        if (old != staging_.end() && old->second.size() == n) {
            mem = std::move(old->second);
            last_staging_.reused += n;
        } else if (ready != prepared.end() && ready->second.size() == n) {
            mem = std::move(ready->second);
            last_staging_.prepared += n;
        } else {
            // Nothing of this size was prepared (a new or resized buffer, an object, or
            // staging_prefault=off): allocate at the cut and pay its page faults here.
            if (old != staging_.end()) mem = std::move(old->second);
            else if (ready != prepared.end()) mem = std::move(ready->second);
            mem.resize(n);
            last_staging_.at_cut += n;
        }
        staging_memory& slot = next[b.name] = std::move(mem);
        pack_block(b, slot.data(), split_staging_ ? &stage_copy_ : nullptr);
        buffer_desc d = b;
        d.data = slot.data();
        if (d.kind == buffer_kind::distributed) {
            d.mem_shape = d.extent;
            d.mem_offset = {0, 0, 0};
        }
        staged_.push_back(d);
    }
    staging_ = std::move(next);  // memory of buffers no longer registered is freed here
    prepared_generation_ = reg_.generation();
}

void runtime::prepare_staging() {
    const std::uint64_t gen = reg_.generation();
    if (gen == prepared_generation_ || prefault_.busy()) return;  // busy: retried later
    std::vector<staging_request> wanted;
    std::uint64_t total = 0;
    std::uint64_t fresh = 0;
    for (const buffer_desc& b : reg_.buffers()) {
        std::size_t n = b.bytes();
        if (b.object) continue;  // its size is known only once save has run, at the cut
        if (b.variable) {
            try {
                n = b.current().second * type_size(b.elem);  // the size it has now
            } catch (...) {  // NOLINT(bugprone-empty-catch): the cut reports the failure
                continue;
            }
        }
        total += n;
        // staging_ may be in use by the I/O thread: only its sizes are read here.
        const auto old = staging_.find(b.name);
        if (n == 0 || (old != staging_.end() && old->second.size() == n)) continue;
        wanted.push_back({b.name, n});
        fresh += n;
    }
    prepared_generation_ = gen;
    if (wanted.empty() || total > cfg_.staging_limit) return;  // over the limit: written in place
    prefault_.prepare(std::move(wanted));
    log(2, "rank 0 prepares " + std::to_string(fresh) +
               " bytes of staging memory in the background");
}

void runtime::pull_messages() {
    const std::vector<int> missing = protocol::get().missing_sources();
    if (missing.empty()) return;
    for (MPI_Comm comm : known_comms()) {
        const comm_info& ci = info_of(comm);
        if (ci.outside) continue;
        for (const int src_world : missing) {
            int src = -1;
            for (std::size_t r = 0; r < ci.world_rank.size(); ++r) {
                if (ci.world_rank[r] == src_world) src = static_cast<int>(r);
            }
            if (src < 0) continue;
            for (;;) {
                int flag = 0;
                MPI_Message msg = MPI_MESSAGE_NULL;
                MPI_Status st;
                PMPI_Improbe(src, MPI_ANY_TAG, comm, &flag, &msg, &st);
                if (flag == 0) break;
                int bytes = 0;
                PMPI_Get_count(&st, MPI_BYTE, &bytes);
                std::vector<unsigned char> buf(static_cast<std::size_t>(bytes));
                PMPI_Mrecv(buf.data(), bytes, MPI_PACKED, &msg, &st);
                if (bytes < header_bytes) continue;  // not a cairn message: cannot happen
                msg_header h;
                std::memcpy(&h, buf.data(), header_bytes);
                std::vector<unsigned char> payload(buf.begin() + header_bytes, buf.end());
                protocol::get().on_receive(h, ci.id, src_world, src, st.MPI_TAG,
                                           [&] { return payload; });
                message_queue::get().push({ci.id, src, st.MPI_TAG, std::move(payload)});
                if (protocol::get().expand(h) + 1 != protocol::get().color())
                    break;  // a red one: none white left
            }
        }
    }
}

void runtime::finish_snapshot() {
    snapshot_outcome out = protocol::get().take_outcome();
    const pending_snapshot p = *pending_;
    pending_.reset();
    if (out.aborted) {
        ++aborted_since_commit_;
        ++aborted_in_a_row_;
        log(1, "snapshot at safe point " + std::to_string(p.safe_point) +
                   " aborted, nothing committed: " + out.why);
        commit_result r;
        r.error = "snapshot at safe point " + std::to_string(p.safe_point) + " aborted: " + out.why;
        last_result_ = r;
        if (p.exit_after) exit_retry_ = true;  // ask again for checkpoint-and-exit
        if (cfg_.abort_limit > 0 && aborted_in_a_row_ == static_cast<std::uint64_t>(cfg_.abort_limit)) {
            report_abort_streak(p, out.why);  // the same epoch on every rank: on_error agrees
        }
        return;
    }
    aborted_in_a_row_ = 0;
    checkpoint_meta meta = base_meta();
    meta.safe_point = p.safe_point;
    meta.color = out.color;
    meta.stats.nonblocking = 1;
    meta.stats.aborted_epochs = aborted_since_commit_;
    meta.stats.staging_waits = staging_waits_;
    meta.stats.write_seconds = last_write_seconds_;
    auto w = std::make_shared<write_state>();
    w->exit_after = p.exit_after;
    writing_ = w;
    std::vector<buffer_desc> bufs = p.in_place ? reg_.buffers() : staged_;
    const double stall = p.stall;
    std::string save_error = p.save_error;
    const std::uint64_t local_bytes = p.bytes;
    const staging_use use = p.in_place ? staging_use{} : last_staging_;
    io_thread_->submit([this, w, meta, bufs = std::move(bufs), chan = std::move(out.channel),
                        stall, local_bytes, use, save_error = std::move(save_error)]() mutable {
        try {
            // Collective on the I/O thread's communicator: never a global stop at the cut.
            check_registration_agrees("checkpoint", io_.get());
            const std::string bad = first_message(io_.get(), !save_error.empty(), save_error);
            if (!bad.empty()) {
                w->result.ok = false;
                w->result.error = bad + " (checkpoint not committed)";
                w->finish();
                return;
            }
            double stall_max = 0;
            unsigned long long sums[5] = {local_bytes, chan.messages.size(), use.prepared,
                                          use.reused, use.at_cut};
            unsigned long long tot[5] = {0, 0, 0, 0, 0};
            MPI_Allreduce(&stall, &stall_max, 1, MPI_DOUBLE, MPI_MAX, io_.get());
            MPI_Allreduce(sums, tot, 5, MPI_UNSIGNED_LONG_LONG, MPI_SUM, io_.get());
            meta.stats.stall_seconds = stall_max;
            meta.stats.bytes = tot[0];
            meta.stats.messages_logged = tot[1];
            w->result = write_checkpoint(meta, bufs, chan, w->exit_after);
            w->stats = meta.stats;
            if (w->result.ok && rank_ == 0) {
                append_stats_log(cfg_, meta, w->result,
                                 "staged_prepared=" + std::to_string(tot[2]) +
                                     " staged_reused=" + std::to_string(tot[3]) +
                                     " staged_at_cut=" + std::to_string(tot[4]));
            }
        } catch (const std::exception& e) {
            w->result.ok = false;
            w->result.error = e.what();
        }
        w->finish();
    });
}

void runtime::report_abort_streak(const pending_snapshot& p, const std::string& why) {
    const bool local = why.rfind("another rank", 0) != 0;
    std::string cause = why;
    if (local && p.receives > 0) {
        cause += "; at the cut this rank had " + std::to_string(p.receives) +
                 " receive request(s) pending (first: " + p.first_receive + ")";
    }
    // The boundary's reasons (nonblocking collectives, RMA, dynamic processes) say their fix
    // themselves; early messages get theirs here.
    const bool early = why.find("early message") != std::string::npos;
    const std::string fix = !early ? std::string() :
        "a rank receives, before its safe point, messages that their sender sent after the "
        "same safe point (typically a receive for the next iteration posted, or completed, "
        "before safe_point()), so no snapshot of this pattern can be consistent. Receive such "
        "messages after safe_point(), or use mode=blocking for this job";
    const std::string fix_text = fix.empty() ? "" : ". Fix: " + fix;
    if (local && rank_ != 0) {
        std::fprintf(stderr, "cairn: ERROR: %d snapshots in a row aborted: %s%s\n",
                     cfg_.abort_limit, cause.c_str(), fix_text.c_str());
    }
    commit_result r;
    r.error = std::to_string(cfg_.abort_limit) + " snapshots in a row aborted (abort_limit), " +
              "none committed since: " + (local ? cause : why + " (its rank reports the cause)") +
              fix_text;
    last_result_ = r;
    // Reported (and on_error applied) at the end of this safe point, after its agreement step:
    // ranks reach this at different safe points, and a safe point left half-way would leave the
    // agreement rounds out of step.
    deferred_error_ = r;
}

void runtime::collect_write(bool wait) {
    const std::lock_guard<std::recursive_mutex> lock(bg_mu_);
    if (!writing_) return;
    if (wait) {
        // Sleep until the I/O thread finishes the write (it can take seconds): spinning here took
        // a core from the I/O threads on oversubscribed nodes. A snapshot's channel phase still
        // gets driven every 500 us if one is under way.
        while (!writing_->done) {
            if (protocol::get().busy()) {
                protocol::get().progress();
                writing_->wait_for(std::chrono::microseconds(500));
            } else {
                writing_->wait_for(std::chrono::milliseconds(100));
            }
        }
    } else if (!writing_->done) {
        return;
    }
    const std::shared_ptr<write_state> w = std::move(writing_);
    writing_.reset();
    last_write_seconds_ = w->result.seconds;
    last_result_ = w->result;
    if (w->result.ok) {
        epoch_ = w->result.epoch;
        aborted_since_commit_ = 0;
    }
    if (w->exit_after) {
        exit_ = true;
        log(1, std::string("checkpoint-and-exit requested by a signal: ") +
                   (w->result.ok ? "checkpoint committed" : "checkpoint FAILED") +
                   "; the application should now leave its main loop");
    }
    handle_result(w->result, false);
}

void runtime::wait_snapshot_done() {
    const std::lock_guard<std::recursive_mutex> lock(bg_mu_);
    while (pending_) {
        if (protocol::get().progress()) {
            finish_snapshot();
            break;
        }
        pull_messages();
        const double waited = MPI_Wtime() - pending_->cut_time;
        if (waited > cfg_.epoch_timeout && !pending_->warned) {
            pending_->warned = true;
            protocol::get().give_up("not complete after epoch_timeout (" +
                                    std::to_string(static_cast<int>(waited)) +
                                    " s): white messages still in flight");
        }
        sched_yield();
    }
}

void runtime::poll_background() {
    const std::lock_guard<std::recursive_mutex> lock(bg_mu_);
    if (pending_) {
        if (protocol::get().progress()) {
            finish_snapshot();
        } else {
            const double waited = MPI_Wtime() - pending_->cut_time;
            if (waited > pull_after_seconds) pull_messages();
            if (waited > cfg_.epoch_timeout && !pending_->warned) {
                pending_->warned = true;
                protocol::get().give_up("not complete after epoch_timeout (" +
                                        std::to_string(static_cast<int>(waited)) +
                                        " s): white messages still in flight");
            }
        }
    }
    collect_write(false);
}

void runtime::start_snapshot(trigger why, bool exit_after) {
    const std::lock_guard<std::recursive_mutex> lock(bg_mu_);
    const double t0 = MPI_Wtime();
    wait_snapshot_done();  // one snapshot at a time
    if (writing_ && !writing_->done) {
        ++staging_waits_;  // the staging copy is still being written
        log(2, "waiting for the previous checkpoint write to finish (staging memory in use)");
    }
    collect_write(true);
    const double t_waited = MPI_Wtime();
    fault::begin_checkpoint();
    const std::size_t pending_requests = request_table::get().active();
    if (pending_requests > 0) {
        log(1, "warning: " + std::to_string(pending_requests) +
                   " application request(s) pending across the safe point at " +
                   std::to_string(index_) + " on rank 0; a restart from this checkpoint will "
                   "not re-create them");
    }
    pending_snapshot p;
    p.receives = request_table::get().active_receives(&p.first_receive);
    p.save_error = reg_.refresh(rank_);
    p.safe_point = index_;
    p.exit_after = exit_after;
    p.bytes = reg_.local_bytes();
    p.in_place = p.bytes > cfg_.staging_limit;
    if (p.in_place) {
        ++staging_waits_;
        log(1, "registered state exceeds staging_limit: this checkpoint blocks until written");
    }
    const double t_staging = MPI_Wtime();
    if (!p.in_place) stage_buffers();
    const double t_staged = MPI_Wtime();
    protocol::get().cut();
    p.cut_time = MPI_Wtime();
    wake_progress_thread();
    p.stall = p.cut_time - t0;
    pending_ = p;
    if (cfg_.verbose >= 2) {
        char parts[160];
        std::snprintf(parts, sizeof parts,
                      "stall %.6f s: previous snapshot/write %.6f, copy to staging %.6f, "
                      "other %.6f",
                      p.stall, t_waited - t0, t_staged - t_staging,
                      p.stall - (t_waited - t0) - (t_staged - t_staging));
        log(2, std::string("snapshot cut at safe point ") + std::to_string(index_) + " (" +
                   (why == trigger::steps    ? "steps"
                    : why == trigger::signal ? "signal"
                                             : "request") +
                   "), " + parts);
    }
    if (p.in_place || exit_after) {
        wait_snapshot_done();
        collect_write(true);
    }
    sched_->record(p.in_place ? MPI_Wtime() - t0 : p.stall, last_write_seconds_, MPI_Wtime());
}

}  // namespace cairn::detail
