#include "core/runtime.hpp"

#include "checkpoint/identity.hpp"
#include "storage/checksum.hpp"
#include "common/error.hpp"
#include "common/fault.hpp"
#include "schedule/job_history.hpp"
#include "pmpi/internal.hpp"
#include "pmpi/layer.hpp"
#include "pmpi/protocol.hpp"
#include "pmpi/queue.hpp"
#include "core/restore_check.hpp"
#include "core/signals.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>

namespace cairn::detail {

namespace {

std::string basename_of(const char* path) {
    std::string p = path == nullptr ? "" : path;
    const auto s = p.find_last_of('/');
    return s == std::string::npos ? p : p.substr(s + 1);
}

std::string iso_time(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

const char* trigger_name(int t) {
    static const char* names[] = {"steps", "interval", "request", "signal", "checkpoint_now"};
    return names[t];
}

}  // namespace

runtime::runtime(int* argc, char*** argv, const init_options& opts) {
    int init = 0;
    int fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (fin != 0) {
        throw make_error("cairn::init(): MPI is already finalized (cairn::finalize() finalizes MPI "
                         "when cairn::init() was the one to initialise it)");
    }
    if (init == 0) {
        int provided = 0;
        // cairn's MPI_Init_thread wrapper asks MPI for MPI_THREAD_MULTIPLE (cairn's own threads
        // need it) and records the level the application needs.
        check_mpi(MPI_Init_thread(argc, argv, opts.thread_level, &provided), "MPI_Init_thread");
        owns_mpi_ = true;
    }
    try {
        cfg_ = load_config(opts.config_file, cairn_environment());
    } catch (const std::invalid_argument& e) {
        if (owns_mpi_) MPI_Finalize();
        throw make_error(std::string("invalid cairn configuration: ") + e.what());
    }
    if (!opts.app_name.empty()) cfg_.app_name = opts.app_name;
    if (cfg_.app_name.empty() && argv != nullptr && *argv != nullptr && (*argv)[0] != nullptr) {
        cfg_.app_name = basename_of((*argv)[0]);
    }
    if (cfg_.app_name.empty()) cfg_.app_name = "app";
    if (!cfg_.run_key_set) cfg_.run_key = default_run_key(opts.run_key, argc, argv);

    user_ = owned_comm(opts.comm);
    ctl_ = owned_comm(opts.comm);
    io_ = owned_comm(opts.comm);
    rank_ = user_.rank();
    size_ = user_.size();

    MPI_Comm node = MPI_COMM_NULL;
    check_mpi(PMPI_Comm_split_type(user_.get(), MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node),
              "MPI_Comm_split_type");
    int node_rank = 0;
    int node_size = 1;
    MPI_Comm_rank(node, &node_rank);
    MPI_Comm_size(node, &node_size);
    PMPI_Comm_free(&node);
    int leader = node_rank == 0 ? 1 : 0;
    check_mpi(MPI_Allreduce(&leader, &nodes_, 1, MPI_INT, MPI_SUM, user_.get()), "MPI_Allreduce");

    nonblocking_ = cfg_.nonblocking;
    if (nonblocking_ && !cfg_.interpose) {
        throw make_error("mode=nonblocking needs interpose=on (interpose=off is for the blocking "
                         "mode only)");
    }
    if (nonblocking_ && !layer_nonblocking()) {
        const std::string why = !layer_initialized()
            ? "MPI was initialised without cairn's MPI_Init wrapper (link libcairn before libmpi)"
            : layer_thread_level() < MPI_THREAD_MULTIPLE
                ? "the MPI library does not provide MPI_THREAD_MULTIPLE"
                : "the mode was set in a config file passed to init(); set CAIRN_MODE in the "
                  "environment or in $CAIRN_CONFIG so MPI_Init sees it";
        throw make_error("mode=nonblocking cannot be used: " + why + " (or set CAIRN_MODE=blocking)");
    }
    if (!nonblocking_ && layer_nonblocking()) {
        throw make_error("mode=blocking was set in a config file passed to init(), but MPI_Init "
                         "started the non-blocking protocol; set CAIRN_MODE in the environment");
    }
    if (const std::string fortran = fortran_bindings_loaded(); !fortran.empty()) {
        log(0, "warning: the Fortran MPI bindings (" + fortran + ") are loaded: messages sent or "
               "received through them bypass cairn's interposition and are not part of the "
               "snapshot, so a checkpoint is consistent only if no such message is in flight at "
               "its safe point. Exchange messages from C or C++, or complete every Fortran "
               "exchange before safe_point()");
    }
    if (!nonblocking_ && !layer_active()) {
        log(0, std::string("warning: mode=blocking without cairn's MPI interposition (") +
                   (!cfg_.interpose ? "interpose=off"
                    : layer_initialized() ? "the mode was set in a config file passed to init(); "
                                          "set CAIRN_MODE in the environment"
                                        : "MPI was initialised without cairn's MPI_Init wrapper, "
                                          "e.g. by MPI_Init called from Fortran") +
                   "): messages in flight at a checkpoint are not saved, so a checkpoint is "
                   "consistent only if no message is in flight at its safe point");
    }
    fault::arm(cfg_.fault, rank_, nonblocking_);
    if (cfg_.fault.where != fault::point::none) {
        log(0, "warning: fault injection armed (fault=" + fault::describe(cfg_.fault) +
                   "): a test setting; the job will be killed on purpose");
    }
    io_thread_ = std::make_unique<io_thread>();
    agree_ = std::make_unique<agreement>(ctl_.get(), cfg_.lookahead);
    ckpt_ = std::make_unique<checkpointer>(cfg_, io_.get());
    if (!cfg_.local_dir.empty()) {
        tier_ = std::make_unique<node_tier>(cfg_, user_.get(), io_.get());
        nodes_ = tier_->nodes().nodes();
    }
    sched_ = std::make_unique<scheduler>(cfg_, job_mtbf(), MPI_Wtime());
    install_exit_signals(cfg_.signals);
    const int cpus = usable_cpus();
    split_staging_ = use_copy_helper(cfg_.parallel_staging, node_size, cpus);
    if (nonblocking_ && cfg_.parallel_staging == staging_split::automatic) {
        log(2, std::string("parallel_staging=auto: ") + (split_staging_ ? "on" : "off") + " (" +
                   std::to_string(node_size) + " ranks on rank 0's node, " + std::to_string(cpus) +
                   " CPUs usable by rank 0)");
    }
    if (nonblocking_) start_progress_thread();
    log(2, "initialised on " + std::to_string(size_) + " ranks, " + std::to_string(nodes_) +
               " node(s): " + describe(cfg_));
}

runtime::~runtime() {
    try {
        finalize();
    } catch (...) {  // NOLINT(bugprone-empty-catch): destructors never throw
    }
}

double runtime::job_mtbf() const {
    const double configured = cfg_.node_mtbf / static_cast<double>(nodes_);
    if (rank_ != 0) return configured;  // time-based decisions are taken on rank 0
    try {
        const job_history h = read_job_history(cfg_.history_path());
        const double m = refined_job_mtbf(h, configured);
        if (!h.attempts.empty()) {
            log(1, "job MTBF " + std::to_string(m) + " s from node_mtbf/" +
                       std::to_string(nodes_) + " nodes refined by " +
                       std::to_string(h.attempts.size()) + " attempts in " + cfg_.history_path());
        }
        return m;
    } catch (const std::exception& e) {
        log(0, std::string("warning: job history ignored: ") + e.what());
    }
    return configured;
}

void runtime::log(int level, const std::string& msg) const {
    if (rank_ == 0 && cfg_.verbose >= level) std::fprintf(stderr, "cairn: %s\n", msg.c_str());
}

void runtime::finalize() {
    if (finalized_) return;
    finalized_ = true;
    stop_progress_thread();  // the main thread drives what is left
    restore_signal_handlers();
    if (mpi_active()) {
        if (nonblocking_) {
            try {
                wait_snapshot_done();
                collect_write(true);
            } catch (const std::exception& e) {
                log(0, std::string("ERROR at finalize: ") + e.what());
            }
            double waited = 0;
            std::string unused;
            prefault_.take(waited, unused);  // joins a preparation still running, frees it
        }
        if (tier_) {
            try {
                io_thread_->run_sync([this] { tier_->final_flush(*ckpt_); });
            } catch (const std::exception& e) {
                log(0, std::string("ERROR at finalize: ") + e.what());
            }
        }
        io_thread_.reset();
        agree_->drain();
        agree_.reset();
        ckpt_.reset();
        io_ = owned_comm();
        ctl_ = owned_comm();
        user_ = owned_comm();
        if (owns_mpi_) MPI_Finalize();
    }
    fault::disarm();  // after the I/O thread, which reads the armed point, has ended
}

void runtime::check_registration_agrees(const char* during, MPI_Comm comm) {
    const std::uint64_t h = hash_bytes(reg_.signature().data(), reg_.signature().size());
    unsigned long long mine[2] = {h, ~h};
    unsigned long long red[2] = {0, 0};
    check_mpi(PMPI_Allreduce(mine, red, 2, MPI_UNSIGNED_LONG_LONG, MPI_MAX, comm),
              "MPI_Allreduce");
    const int differs = (red[0] != h || red[1] != ~h) ? 1 : 0;
    int any = 0;
    check_mpi(PMPI_Allreduce(&differs, &any, 1, MPI_INT, MPI_MAX, comm), "MPI_Allreduce");
    if (any != 0) {
        const std::string sig = first_message(comm, differs != 0, reg_.signature());
        throw make_error(std::string("during ") + during +
                         ": ranks registered different buffers (names, kinds, types and global " +
                         "shapes must agree on every rank, in the same order); one rank has: " +
                         sig);
    }
}

bool runtime::restore() {
    if (index_ > 0) {
        throw make_error("restore() must be called before the first safe_point()");
    }
    if (restore_called_) throw make_error("restore() called twice");
    restore_called_ = true;
    if (nonblocking_) require_nothing_in_flight(user_.get(), rank_);
    if (cfg_.restart == restart_mode::never) {
        io_thread_->run_sync([this] {
            if (tier_) tier_->scan(*ckpt_);
            else ckpt_->scan();
        });
        log(1, "restart=never: starting from the beginning");
        return false;
    }
    check_registration_agrees("restore", user_.get());
    restore_result r;
    io_thread_->run_sync([&] {
        r = tier_ ? tier_->restore(*ckpt_, reg_.buffers()) : ckpt_->restore(reg_.buffers());
    });
    if (!r.restored) {
        if (cfg_.restart == restart_mode::required) {
            throw make_error("restart=required but there is no checkpoint in " + cfg_.dir);
        }
        return false;
    }
    std::string load_error;
    try {
        reg_.load_objects(rank_);
    } catch (const std::exception& e) {
        load_error = e.what();
    }
    std::string first;
    io_thread_->run_sync([&] { first = first_message(io_.get(), !load_error.empty(), load_error); });
    if (!first.empty()) {
        throw cairn::error("restore from " + r.path + " stopped: " +
                           (load_error.empty() ? first : load_error));
    }
    restarted_ = true;
    epoch_ = r.meta.epoch;
    index_ = r.meta.safe_point;
    agree_->reset(index_ + 1);
    channel_state& chan = tier_ ? tier_->restored_channel() : ckpt_->restored_channel();
    if (!chan.messages.empty() && !layer_active()) {
        throw make_error("checkpoint " + r.path + " holds " + std::to_string(chan.messages.size()) +
                         " in-flight messages for this rank, which only cairn's MPI interposition "
                         "can replay; set CAIRN_MODE in the environment (not in a config file "
                         "passed to init) and initialise MPI through cairn");
    }
    if (layer_active()) {
        protocol::get().set_color(static_cast<std::uint32_t>(r.meta.color));
        for (auto& m : chan.messages) {
            message_queue::get().push({m.comm_id, m.source, m.tag, std::move(m.payload)});
        }
        if (!chan.messages.empty()) {
            log(2, "replaying " + std::to_string(chan.messages.size()) +
                       " logged message(s) on rank 0");
        }
        chan = channel_state{};
    }
    return true;
}

checkpoint_meta runtime::base_meta() const {
    checkpoint_meta meta;
    meta.cairn_version = cairn::version();
    meta.safe_point = index_;
    meta.nranks = size_;
    meta.app_name = cfg_.app_name;
    meta.time_unix = static_cast<std::int64_t>(std::time(nullptr));
    meta.time_iso = iso_time(static_cast<std::time_t>(meta.time_unix));
    const char* job = std::getenv("SLURM_JOB_ID");
    meta.job_id = job == nullptr ? "" : job;
    meta.checksum_algorithm = checksum_algorithm;
    meta.interval_delta = sched_->delta();
    meta.interval_mtbf = sched_->mtbf();
    meta.interval_t = sched_->interval();
    meta.color = protocol::get().color();
    return meta;
}

commit_result runtime::blocking_checkpoint(trigger why) {
    fault::begin_checkpoint();
    const std::string save_error = reg_.refresh(rank_);
    check_registration_agrees("checkpoint", user_.get());
    const double t0 = MPI_Wtime();
    channel_state chan;
    if (layer_active()) {
        // The same consistent cut as the non-blocking mode, driven on this thread: the messages
        // in flight at the safe point are received here and saved as channel state.
        const std::string refused = blocking_cut(chan);
        if (!refused.empty()) {
            commit_result res;
            res.error = "checkpoint at safe point " + std::to_string(index_) +
                        " not committed: " + refused;
            sched_->record(MPI_Wtime() - t0, last_write_seconds_, MPI_Wtime());
            return res;
        }
    }
    checkpoint_meta meta = base_meta();
    meta.stats.bytes = reg_.local_bytes();
    meta.stats.write_seconds = last_write_seconds_;
    commit_result res;
    io_thread_->run_sync([&] {
        const std::string bad = first_message(io_.get(), !save_error.empty(), save_error);
        if (!bad.empty()) {
            res.error = bad + " (checkpoint not committed)";
            return;
        }
        unsigned long long mine[2] = {meta.stats.bytes, chan.messages.size()};
        unsigned long long total[2] = {0, 0};
        MPI_Allreduce(mine, total, 2, MPI_UNSIGNED_LONG_LONG, MPI_SUM, io_.get());
        meta.stats.bytes = total[0];
        meta.stats.messages_logged = total[1];
        res = write_checkpoint(meta, reg_.buffers(), chan, why == trigger::signal);
        if (res.ok && rank_ == 0) {
            checkpoint_meta logged = meta;
            logged.stats.stall_seconds = res.seconds;  // blocking: the stall is the whole write
            append_stats_log(cfg_, logged, res);
        }
    });
    const double t1 = MPI_Wtime();
    // Blocking mode: the application stalls for the whole protocol.
    sched_->record(t1 - t0, res.seconds, t1);
    last_write_seconds_ = res.seconds;
    if (res.ok) {
        epoch_ = res.epoch;
        log(2, std::string("checkpoint trigger: ") + trigger_name(static_cast<int>(why)));
    }
    return res;
}

commit_result runtime::write_checkpoint(const checkpoint_meta& meta,
                                        const std::vector<buffer_desc>& bufs,
                                        const channel_state& chan, bool exit_after) {
    if (tier_) return tier_->commit(*ckpt_, meta, bufs, chan, exit_after);
    return ckpt_->write(meta, bufs, chan);
}

void runtime::handle_result(const commit_result& res, bool explicit_call) {
    if (res.ok) return;
    if (explicit_call) throw cairn::error(res.error);
    log(0, "ERROR: " + res.error + " (the previous checkpoint is still valid)");
    if (cfg_.abort_on_error) throw cairn::error(res.error);
}

void runtime::safe_point() {
    ++index_;
    if (exit_) return;
    if (nonblocking_) poll_background();
    if (exit_) return;
    const agreement_flags agreed = agree_->decide(index_);
    const bool by_steps = sched_->due_by_steps(index_);
    if (agreed.checkpoint || agreed.exit || by_steps) {
        checkpoint_wanted_ = true;
        const int sig = exit_signals_received();
        const trigger why = agreed.exit ? trigger::signal
                            : by_steps  ? trigger::steps
                            : requested_ ? trigger::request
                                         : trigger::time;
        requested_ = false;  // any checkpoint satisfies a pending request
        if (agreed.exit) {
            signals_seen_ = sig;
            exit_retry_ = false;
        }
        if (nonblocking_) {
            start_snapshot(why, agreed.exit);
        } else {
            const commit_result res = blocking_checkpoint(why);
            if (agreed.exit) {
                exit_ = true;
                log(1, std::string("checkpoint-and-exit requested by a signal: ") +
                           (res.ok ? "checkpoint committed" : "checkpoint FAILED") +
                           "; the application should now leave its main loop");
            }
            if (!res.ok) deferred_error_ = res;
        }
        if (exit_) {
            report_deferred_error();
            return;
        }
    }
    // Staging memory is prepared ahead only when a checkpoint is to come: scheduled (any interval
    // but off), requested, or taken before. With interval=off and no request it stays unallocated.
    checkpoint_wanted_ = checkpoint_wanted_ || requested_ || exit_signals_received() > 0;
    if (nonblocking_ && cfg_.staging_prefault &&
        (cfg_.interval != interval_mode::off || checkpoint_wanted_)) {
        prepare_staging();
    }
    const bool time_due = rank_ == 0 && sched_->due_by_time(MPI_Wtime());
    const bool signal_pending = exit_signals_received() > signals_seen_ || exit_retry_;
    agree_->maybe_start(index_, {requested_ || time_due, signal_pending});
    report_deferred_error();
}

void runtime::report_deferred_error() {
    const std::unique_lock<std::recursive_mutex> lock(bg_mu_);
    if (!deferred_error_) return;
    const commit_result r = *deferred_error_;
    deferred_error_.reset();
    handle_result(r, false);
}

void runtime::checkpoint_now() {
    checkpoint_wanted_ = true;
    if (!nonblocking_) {
        handle_result(blocking_checkpoint(trigger::explicit_call), true);
        return;
    }
    const std::lock_guard<std::recursive_mutex> lock(bg_mu_);
    last_result_.reset();
    start_snapshot(trigger::explicit_call, false);
    wait_snapshot_done();
    collect_write(true);
    if (!last_result_ || !last_result_->ok) {
        throw cairn::error(last_result_ ? last_result_->error : "checkpoint not taken");
    }
}

}  // namespace cairn::detail
