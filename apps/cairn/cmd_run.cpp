// `cairn run`: runs an MPI job with mpirun, restarts it after failures, keeps the job history.
#include "cli.hpp"
#include "commands.hpp"
#include "launcher.hpp"

#include "common/duration.hpp"
#include "schedule/job_history.hpp"
#include "storage/naming.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>

namespace po = boost::program_options;
namespace cd = cairn::detail;

namespace cairn::cli {
namespace {

struct run_options {
    long nprocs = 0;
    long max_restarts = 3;
    std::string dir;
    std::string history;
    double inject_after = -1;
    long inject_count = 1;
    long inject_checkpoints = 0;
    std::string mpirun = "mpirun";
    std::vector<std::string> mpirun_args;
    std::vector<std::string> command;
};

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::uint64_t newest_epoch(const std::string& dir) {
    const auto listing = cd::list_checkpoints(dir);
    return listing.committed.empty() ? 0 : listing.committed.back();
}

std::string epoch_text(std::uint64_t e) {
    return e == 0 ? std::string("none") : "epoch " + std::to_string(e);
}

void make_dirs(const std::string& dir) {
    std::string partial;
    for (std::size_t i = 0; i <= dir.size(); ++i) {
        if (i == dir.size() || (dir[i] == '/' && i > 0)) {
            partial = dir.substr(0, i);
            if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
                throw std::runtime_error("cannot create checkpoint directory " + partial + ": " +
                                         std::strerror(errno));
        }
    }
}

// Classifies how an attempt ended; returns the cause and a sentence for people.
cd::attempt_cause classify(const launch_result& r, std::string& how, int& exit_code) {
    char buf[200];
    if (!r.exited) {
        exit_code = 128 + r.exit_status;
        std::snprintf(buf, sizeof buf, "mpirun killed by signal %d (%s)", r.exit_status,
                      strsignal(r.exit_status));
        how = buf;
        return r.injected ? cd::attempt_cause::injected
                          : (r.forwarded_signal && r.forwarded_signal != SIGUSR1
                                 ? cd::attempt_cause::signal
                                 : cd::attempt_cause::killed);
    }
    exit_code = r.exit_status;
    if (r.exit_status == 0) {
        how = "exit status 0";
        return r.forwarded_signal == SIGUSR1 ? cd::attempt_cause::timeout : cd::attempt_cause::ok;
    }
    if (r.injected) {
        std::snprintf(buf, sizeof buf, "rank killed by the injected SIGKILL (exit status %d)",
                      r.exit_status);
        how = buf;
        return cd::attempt_cause::injected;
    }
    if (r.forwarded_signal && r.forwarded_signal != SIGUSR1) {
        std::snprintf(buf, sizeof buf, "stopped by %s (exit status %d)",
                      strsignal(r.forwarded_signal), r.exit_status);
        how = buf;
        return cd::attempt_cause::signal;
    }
    // mpirun exits with 128+N when a rank died of signal N.
    if (r.exit_status > 128 && r.exit_status < 128 + 65) {
        const int sig = r.exit_status - 128;
        std::snprintf(buf, sizeof buf, "rank killed by signal %d (%s)", sig, strsignal(sig));
        how = buf;
        return cd::attempt_cause::killed;
    }
    std::snprintf(buf, sizeof buf, "exit status %d", r.exit_status);
    how = buf;
    return cd::attempt_cause::failed;
}

run_options parse(const std::vector<std::string>& args, bool& help) {
    po::options_description desc("options");
    desc.add_options()("help,h", "show this help")("np,n", po::value<long>()->value_name("N"),
                                                   "number of MPI processes (required)")(
        "max-restarts", po::value<long>()->default_value(3)->value_name("N"),
        "restarts allowed after failures (attempts = N + 1)")(
        "checkpoint-dir", po::value<std::string>()->value_name("DIR"),
        "checkpoint directory, passed to the job as CAIRN_DIR (default: $CAIRN_DIR, else "
        "cairn-checkpoints)")("history", po::value<std::string>()->value_name("FILE"),
                              "job history file, passed as CAIRN_HISTORY (default: DIR/history)")(
        "inject-failure-after", po::value<std::string>()->value_name("DURATION"),
        "SIGKILL one random rank this long into an attempt (demos and tests)")(
        "inject-failure-at-checkpoint", po::value<long>()->value_name("C"),
        "kill a random rank once the attempt has committed C new checkpoints (with "
        "--inject-failure-after: when both hold)")(
        "inject-count", po::value<long>()->default_value(1)->value_name("K"),
        "inject into the first K attempts")(
        "mpirun", po::value<std::string>()->default_value("mpirun")->value_name("PATH"),
        "the MPI launcher")("mpirun-args", po::value<std::string>()->value_name("ARGS"),
                            "extra launcher arguments, split on blanks (e.g. \"--bind-to none\")");
    const auto split = split_at_separator(args);
    po::variables_map vm;
    parse_options(split.options, desc, {}, vm);
    help = vm.count("help") > 0;
    if (help) {
        print_help(
            "cairn run -n N [options] -- PROGRAM [ARGS...]",
            "Runs 'mpirun -n N PROGRAM ARGS' with CAIRN_DIR and CAIRN_HISTORY set. When an "
            "attempt\n"
            "fails (non-zero exit, a rank killed), the same command is run again: the program's\n"
            "cairn::restore() loads the newest valid checkpoint. Stops after --max-restarts\n"
            "restarts, or when two attempts in a row fail without committing a new checkpoint.\n"
            "Each attempt is appended to the job history file, which the interval scheduler\n"
            "reads to refine the MTBF. SIGINT, SIGTERM, SIGHUP and SIGUSR1 are forwarded to\n"
            "mpirun (SIGUSR1: checkpoint at the next safe point and exit; the others stop it).\n"
            "Exit status: 0 the job finished (or checkpointed and stopped on SIGUSR1), 1 it\n"
            "failed or was stopped, 2 usage error.",
            desc);
        return {};
    }
    run_options o;
    if (!vm.count("np")) throw usage_error("-n/--np is required");
    o.nprocs = vm["np"].as<long>();
    if (o.nprocs < 1)
        throw usage_error("-n must be at least 1 (got " + std::to_string(o.nprocs) + ")");
    o.max_restarts = vm["max-restarts"].as<long>();
    if (o.max_restarts < 0)
        throw usage_error("--max-restarts must be >= 0 (got " + std::to_string(o.max_restarts) +
                          ")");
    if (vm.count("checkpoint-dir"))
        o.dir = vm["checkpoint-dir"].as<std::string>();
    else if (const char* d = std::getenv("CAIRN_DIR"); d && *d)
        o.dir = d;
    else
        o.dir = "cairn-checkpoints";
    if (o.dir.empty()) throw usage_error("--checkpoint-dir must not be empty");
    o.history = vm.count("history") ? vm["history"].as<std::string>() : o.dir + "/history";
    if (vm.count("inject-failure-after"))
        o.inject_after = duration_option("inject-failure-after",
                                         vm["inject-failure-after"].as<std::string>(), true);
    if (vm.count("inject-failure-at-checkpoint")) {
        o.inject_checkpoints = vm["inject-failure-at-checkpoint"].as<long>();
        if (o.inject_checkpoints < 1) throw usage_error("--inject-failure-at-checkpoint must be >= 1");
        if (o.inject_after < 0) o.inject_after = 0;
    }
    o.inject_count = vm["inject-count"].as<long>();
    if (o.inject_count < 0) throw usage_error("--inject-count must be >= 0");
    o.mpirun = vm["mpirun"].as<std::string>();
    if (vm.count("mpirun-args")) o.mpirun_args = split_words(vm["mpirun-args"].as<std::string>());
    o.command = split.command;
    if (o.command.empty())
        throw usage_error("no program given: cairn run -n N [options] -- PROGRAM [ARGS...]");
    return o;
}

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
    bool help = false;
    const run_options o = parse(args, help);
    if (help) return exit_ok;

    make_dirs(o.dir);
    prepare_signals();

    launch_request req;
    req.argv = {o.mpirun, "-n", std::to_string(o.nprocs)};
    req.argv.insert(req.argv.end(), o.mpirun_args.begin(), o.mpirun_args.end());
    req.argv.insert(req.argv.end(), o.command.begin(), o.command.end());
    req.extra_env = {"CAIRN_DIR=" + o.dir, "CAIRN_HISTORY=" + o.history};

    std::string cmdline;
    for (const auto& a : req.argv) cmdline += (cmdline.empty() ? "" : " ") + shell_quote(a);
    std::printf("cairn run: %s\ncairn run: checkpoints in %s, history in %s, up to %ld restart%s\n",
                cmdline.c_str(), o.dir.c_str(), o.history.c_str(), o.max_restarts,
                o.max_restarts == 1 ? "" : "s");

    const long max_attempts = o.max_restarts + 1;
    const double job_start = unix_now();
    int previous_failed_without_progress = 0;
    long attempt = 0;
    long failures = 0;
    std::string outcome;
    int exit_code = exit_failure;
    std::uint64_t first_epoch = newest_epoch(o.dir);
    while (true) {
        ++attempt;
        const std::uint64_t before = newest_epoch(o.dir);
        std::printf("cairn run: attempt %ld/%ld starting (newest checkpoint: %s)\n", attempt,
                    max_attempts, epoch_text(before).c_str());
        std::fflush(stdout);
        req.inject_after = (o.inject_after >= 0 && attempt <= o.inject_count) ? o.inject_after : -1;
        req.inject_at_epoch =
            o.inject_checkpoints > 0 ? before + static_cast<std::uint64_t>(o.inject_checkpoints) : 0;
        req.newest_epoch = [dir = o.dir] { return newest_epoch(dir); };
        cd::job_attempt rec;
        rec.number = static_cast<int>(attempt);
        rec.start_unix = unix_now();
        const launch_result r = launch(req);
        rec.end_unix = unix_now();
        const std::uint64_t after = newest_epoch(o.dir);
        std::string how;
        rec.cause = classify(r, how, rec.exit_code);
        rec.epoch_before = before;
        rec.epoch_after = after;
        try {
            cd::append_job_attempt(o.history, rec);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "cairn run: warning: %s\n", e.what());
        }
        const bool progress = after > before;
        const std::string ckpt = progress ? "new checkpoint: " + epoch_text(after)
                                          : "no new checkpoint (newest: " + epoch_text(after) + ")";

        if (rec.cause == cd::attempt_cause::ok) {
            std::printf("cairn run: attempt %ld finished: %s after %.1f s, %s\n", attempt,
                        how.c_str(), r.seconds, ckpt.c_str());
            outcome = "the job finished";
            exit_code = exit_ok;
            break;
        }
        if (rec.cause == cd::attempt_cause::timeout) {
            std::printf(
                "cairn run: attempt %ld checkpointed and stopped on SIGUSR1 after %.1f s, %s\n",
                attempt, r.seconds, ckpt.c_str());
            outcome =
                "the job checkpointed and stopped on request (rerun the same command to continue)";
            exit_code = exit_ok;
            break;
        }
        std::printf("cairn run: attempt %ld failed: %s after %.1f s, %s\n", attempt, how.c_str(),
                    r.seconds, ckpt.c_str());
        std::fflush(stdout);
        ++failures;
        if (rec.cause == cd::attempt_cause::signal || stop_requested()) {
            outcome = "stopped on request";
            break;
        }
        if (!progress && previous_failed_without_progress) {
            outcome = "giving up: " + std::to_string(previous_failed_without_progress + 1) +
                      " attempts in a row failed without committing a new checkpoint";
            break;
        }
        previous_failed_without_progress = progress ? 0 : previous_failed_without_progress + 1;
        if (attempt >= max_attempts) {
            outcome = "giving up: no restarts left (--max-restarts " +
                      std::to_string(o.max_restarts) + ")";
            break;
        }
    }
    const std::uint64_t last_epoch = newest_epoch(o.dir);
    std::printf(
        "cairn run: %s: %ld attempt%s, %ld failure%s, %.1f s in total, checkpoints: %s -> %s; "
        "history in %s\n",
        outcome.c_str(), attempt, attempt == 1 ? "" : "s", failures, failures == 1 ? "" : "s",
        unix_now() - job_start, epoch_text(first_epoch).c_str(), epoch_text(last_epoch).c_str(),
        o.history.c_str());
    std::fflush(stdout);
    return exit_code;
}

}  // namespace cairn::cli
