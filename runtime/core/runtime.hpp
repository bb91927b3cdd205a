// The per-process runtime state behind the public API.
#pragma once

#include "snapshot/agreement.hpp"
#include "common/channel.hpp"
#include "checkpoint/checkpointer.hpp"
#include "common/config.hpp"
#include "snapshot/copy_helper.hpp"
#include "snapshot/io_thread.hpp"
#include "mpi/comm.hpp"
#include "core/registry.hpp"
#include "schedule/scheduler.hpp"
#include "snapshot/staging_pool.hpp"
#include "tier/tier.hpp"

#include <cairn/cairn.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cairn::detail {

/// One instance between cairn::init() and cairn::finalize().
class runtime {
public:
    runtime(int* argc, char*** argv, const init_options& opts);
    ~runtime();
    runtime(const runtime&) = delete;
    runtime& operator=(const runtime&) = delete;

    void finalize();
    registry& reg() { return reg_; }
    bool restore();
    void safe_point();
    void checkpoint_now();
    void request_checkpoint() { requested_ = true; }
    [[nodiscard]] bool restarted() const { return restarted_; }
    [[nodiscard]] bool exit_requested() const { return exit_; }
    [[nodiscard]] std::uint64_t index() const { return index_; }
    [[nodiscard]] std::uint64_t epoch() const { return epoch_; }
    [[nodiscard]] const config& cfg() const { return cfg_; }

private:
    enum class trigger { steps, time, request, signal, explicit_call };

    // blocking mode (runtime.cpp)
    commit_result blocking_checkpoint(trigger why);
    /// The consistent cut of the blocking mode (blocking_cut.cpp): runs the snapshot protocol to
    /// its end on this thread, pulling and logging the messages in flight. Returns "" and fills
    /// `chan`, or the reason the cut cannot be made consistent (nothing must then be committed).
    std::string blocking_cut(channel_state& chan);
    /// Writes a checkpoint through the node-local tier when configured, else the shared
    /// directory only (I/O thread).
    commit_result write_checkpoint(const checkpoint_meta& meta, const std::vector<buffer_desc>& bufs,
                                   const channel_state& chan, bool exit_after);
    checkpoint_meta base_meta() const;
    void check_registration_agrees(const char* during, MPI_Comm comm);
    void log(int level, const std::string& msg) const;
    double job_mtbf() const;
    void handle_result(const commit_result& res, bool explicit_call);
    /// handle_result() of a failure kept for the end of the safe point (deferred_error_): a
    /// safe point left half-way by on_error=abort would leave the agreement rounds out of step.
    void report_deferred_error();

    // non-blocking mode (snapshot.cpp)
    struct pending_snapshot {
        std::uint64_t safe_point = 0;
        double cut_time = 0;
        double stall = 0;
        bool exit_after = false;
        bool in_place = false;  ///< no staging copy: written from the application's buffers
        std::uint64_t bytes = 0;  ///< this rank's registered bytes at the cut
        bool warned = false;
        std::string save_error;  ///< an object's save failed at the cut ("" = none)
        std::size_t receives = 0;  ///< application receive requests active at the cut
        std::string first_receive;  ///< the first of them ("communicator C, source S, tag T")
    };
    struct write_state {
        std::atomic<bool> done{false};
        commit_result result;
        checkpoint_stats stats;
        bool exit_after = false;
        std::mutex mu;
        std::condition_variable cv;
        /// Called by the I/O thread when `result` is final.
        void finish() {
            {
                const std::lock_guard<std::mutex> lock(mu);
                done = true;
            }
            cv.notify_all();
        }
        /// Sleeps until finish() or for at most `limit`; true when done.
        bool wait_for(std::chrono::microseconds limit) {
            std::unique_lock<std::mutex> lock(mu);
            return cv.wait_for(lock, limit, [this] { return done.load(); });
        }
    };
    void start_snapshot(trigger why, bool exit_after);
    void poll_background();
    void finish_snapshot();
    /// abort_limit snapshots in a row aborted: reports the cause and the fix, applies on_error.
    void report_abort_streak(const pending_snapshot& p, const std::string& why);
    void collect_write(bool wait);
    void wait_snapshot_done();
    void pull_messages();
    void stage_buffers();
    void prepare_staging();
    /// Progress thread: once the channel phase of the pending snapshot is over, hands it to
    /// the I/O thread (finish_snapshot()) without waiting for a safe point. Never blocks: if the
    /// application's thread holds bg_mu_, it is doing the same and this returns.
    void complete_in_background();
    void start_progress_thread();
    void stop_progress_thread();
    void wake_progress_thread();

    config cfg_;
    bool owns_mpi_ = false;
    bool finalized_ = false;
    owned_comm user_;  // duplicate of the host's communicator (ranks, topology)
    owned_comm ctl_;   // agreement traffic
    owned_comm io_;    // checkpoint I/O and commit protocol (I/O thread only)
    int rank_ = 0;
    int size_ = 0;
    int nodes_ = 1;
    registry reg_;
    std::unique_ptr<agreement> agree_;
    std::unique_ptr<checkpointer> ckpt_;
    std::unique_ptr<node_tier> tier_;  // node-local tier (local_dir set), else null
    std::unique_ptr<scheduler> sched_;
    std::unique_ptr<io_thread> io_thread_;
    std::thread progress_thread_;  // completes snapshots while the application is inside MPI
    std::atomic<bool> stop_progress_{false};
    std::mutex progress_mu_;               // with progress_cv_: the thread sleeps while idle
    std::condition_variable progress_cv_;
    bool progress_wake_ = false;           // a snapshot was cut (guarded by progress_mu_)
    std::atomic<std::uint64_t> index_{0};  // read by the progress thread (base_meta)
    std::uint64_t epoch_ = 0;
    bool restarted_ = false;
    bool restore_called_ = false;
    bool requested_ = false;
    // A checkpoint was requested or taken in this process: from then on staging_prefault
    // prepares staging memory even with interval=off (nothing is scheduled before that).
    bool checkpoint_wanted_ = false;
    bool exit_ = false;
    std::atomic<bool> exit_retry_{false};
    int signals_seen_ = 0;

    // non-blocking state. pending_, writing_, last_result_, deferred_error_ and the counters
    // below are changed by the application's thread and by the progress thread
    // (complete_in_background), always under bg_mu_ (recursive: the application's paths nest).
    std::recursive_mutex bg_mu_;
    bool nonblocking_ = false;
    std::optional<pending_snapshot> pending_;
    std::shared_ptr<write_state> writing_;
    staging_map staging_;            // by buffer name; read by the I/O thread until collected
    std::vector<buffer_desc> staged_;  // the registered buffers pointing into staging_
    copy_helper stage_copy_;         // second thread for the staging copy at the cut
    bool split_staging_ = false;     // stage_copy_ used (parallel_staging, use_copy_helper())
    staging_pool prefault_;          // staging memory prepared before the cut (staging_prefault)
    std::uint64_t prepared_generation_ = ~std::uint64_t{0};  // registry generation covered
    struct staging_use {
        std::uint64_t prepared = 0;  ///< bytes staged into memory prepared in the background
        std::uint64_t reused = 0;    ///< bytes staged into the previous checkpoint's memory
        std::uint64_t at_cut = 0;    ///< bytes staged into memory allocated at the cut
    };
    staging_use last_staging_;  // of the latest cut, on this rank
    std::uint64_t aborted_since_commit_ = 0;
    std::uint64_t aborted_in_a_row_ = 0;  // snapshots aborted since the last one that was not
    std::uint64_t staging_waits_ = 0;
    double last_write_seconds_ = 0;
    std::optional<commit_result> last_result_;
    std::optional<commit_result> deferred_error_;  // reported at the end of the safe point
};

/// Appends one line about a committed checkpoint to <dir>/stats.log (call on rank 0); `extra`
/// ("key=value ...") is appended to the line.
void append_stats_log(const config& cfg, const checkpoint_meta& meta, const commit_result& res,
                      const std::string& extra = "");

}  // namespace cairn::detail
