// Signals that ask for checkpoint-then-exit (e.g. SIGUSR1 from Slurm before the time limit).
#pragma once

#include <vector>

namespace cairn::detail {

/// Installs handlers for `signals` (replacing none already installed by cairn).
void install_exit_signals(const std::vector<int>& signals);

/// Restores the handlers that were in place before install_exit_signals().
void restore_signal_handlers();

/// Number of such signals received so far (async-signal-safe counter).
int exit_signals_received();

}  // namespace cairn::detail
