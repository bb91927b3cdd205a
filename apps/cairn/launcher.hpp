// Starting mpirun, waiting for it while forwarding signals, and injecting a rank failure.
#pragma once

#include <string>
#include <cstdint>
#include <functional>
#include <vector>

namespace cairn::cli {

/// What one launch should do.
struct launch_request {
    std::vector<std::string> argv;       ///< mpirun and its arguments (argv[0] looked up in PATH)
    std::vector<std::string> extra_env;  ///< NAME=VALUE added to the environment
    double inject_after = -1;            ///< seconds; < 0 = no injected failure
    /// With inject_after >= 0: also wait until newest_epoch() >= inject_at_epoch (0 = don't).
    std::uint64_t inject_at_epoch = 0;
    std::function<std::uint64_t()> newest_epoch;  ///< newest committed checkpoint epoch
};

/// How a launch ended.
struct launch_result {
    bool exited = false;       ///< mpirun exited (else it was killed by a signal)
    int exit_status = 0;       ///< exit status, or the signal number if !exited
    double seconds = 0;        ///< wall-clock duration
    int forwarded_signal = 0;  ///< last signal forwarded to mpirun (0 = none)
    bool injected = false;     ///< a rank was killed by the injector
    int injected_pid = 0;      ///< the rank process that was killed
    double injected_at = 0;    ///< seconds after the start
};

/// Installs the signal handling `launch` relies on (block SIGINT, SIGTERM, SIGUSR1, SIGHUP and
/// SIGCHLD in this process; they are collected synchronously). Call once, before launching.
void prepare_signals();

/// True once SIGINT/SIGTERM/SIGHUP reached this process (the user wants to stop).
bool stop_requested();

/// Runs the request with fork/exec and waits for it. Signals received meanwhile are forwarded to
/// mpirun. Throws std::runtime_error if mpirun cannot be started.
launch_result launch(const launch_request& req);

/// Direct children of `pid` (from /proc/<pid>/task/*/children, else by scanning /proc).
std::vector<int> child_processes(int pid);

}  // namespace cairn::cli
