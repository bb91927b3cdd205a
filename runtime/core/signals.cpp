#include "core/signals.hpp"

#include <csignal>
#include <utility>

namespace cairn::detail {

namespace {

volatile std::sig_atomic_t received = 0;  // NOLINT: written by the signal handler
std::vector<std::pair<int, struct sigaction>> saved;  // NOLINT: process-wide by nature

extern "C" void on_exit_signal(int /*sig*/) { received = received + 1; }

}  // namespace

void install_exit_signals(const std::vector<int>& signals) {
    restore_signal_handlers();
    for (const int sig : signals) {
        struct sigaction sa {};
        sa.sa_handler = &on_exit_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        struct sigaction old {};
        if (sigaction(sig, &sa, &old) == 0) saved.emplace_back(sig, old);
    }
}

void restore_signal_handlers() {
    for (auto& [sig, old] : saved) sigaction(sig, &old, nullptr);
    saved.clear();
}

int exit_signals_received() { return static_cast<int>(received); }

}  // namespace cairn::detail
