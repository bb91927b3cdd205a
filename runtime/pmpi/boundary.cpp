#include "boundary.hpp"

#include <map>
#include <mutex>

namespace cairn::detail::boundary {

std::atomic<std::size_t> collectives_pending{0};  // NOLINT: process-wide by nature

namespace {

struct window_state {
    int epochs = 0;             ///< lock/lock_all/start/post not yet closed
    const char* epoch_call = "";
    std::map<int, const char*> operations;  ///< target -> an RMA call not yet synchronised
};

struct state {
    std::mutex mu;
    std::string dynamic;  ///< the first dynamic-process call ("" if none)
    std::map<MPI_Request, const char*> collectives;
    std::map<MPI_Request, const char*> io;    ///< nonblocking MPI-IO requests
    std::map<MPI_File, const char*> splits;   ///< split collectives begun, not ended
    std::map<MPI_Win, window_state> windows;
};

state& get() {
    static state s;  // NOLINT: process-wide by nature
    return s;
}

}  // namespace

void note_dynamic(const char* call) {
    state& s = get();
    const std::lock_guard<std::mutex> lock(s.mu);
    if (s.dynamic.empty()) s.dynamic = call;
}

void collective_started(MPI_Request r, const char* call) {
    state& s = get();
    const std::lock_guard<std::mutex> lock(s.mu);
    if (s.collectives.emplace(r, call).second) ++collectives_pending;
}

void collective_done(MPI_Request r) {
    state& s = get();
    const std::lock_guard<std::mutex> lock(s.mu);
    if (s.collectives.erase(r) != 0 || s.io.erase(r) != 0) --collectives_pending;
}

void io_started(MPI_Request r, const char* call) {
    state& s = get();
    const std::lock_guard<std::mutex> lock(s.mu);
    if (s.io.emplace(r, call).second) ++collectives_pending;
}

void split_io(MPI_File fh, const char* call, int delta) {
    state& s = get();
    const std::lock_guard<std::mutex> lock(s.mu);
    if (delta > 0) s.splits[fh] = call;
    else s.splits.erase(fh);
}

void rma_epoch(MPI_Win win, const char* call, int delta) {
    state& s = get();
    const std::lock_guard<std::mutex> lock(s.mu);
    window_state& w = s.windows[win];
    w.epochs += delta;
    if (w.epochs < 0) w.epochs = 0;
    if (delta > 0) w.epoch_call = call;
}

void rma_operation(MPI_Win win, int target, const char* call) {
    state& s = get();
    const std::lock_guard<std::mutex> lock(s.mu);
    s.windows[win].operations[target] = call;
}

void rma_synchronised(MPI_Win win, int target) {
    state& s = get();
    const std::lock_guard<std::mutex> lock(s.mu);
    const auto it = s.windows.find(win);
    if (it == s.windows.end()) return;
    if (target == MPI_PROC_NULL) it->second.operations.clear();
    else it->second.operations.erase(target);
}

void rma_freed(MPI_Win win) {
    state& s = get();
    const std::lock_guard<std::mutex> lock(s.mu);
    s.windows.erase(win);
}

std::string refusal() {
    state& s = get();
    const std::lock_guard<std::mutex> lock(s.mu);
    if (!s.dynamic.empty()) {
        return std::string("the job connected to processes outside MPI_COMM_WORLD (") +
               s.dynamic + "), which are not part of its snapshot; cairn cannot checkpoint "
               "jobs that use dynamic processes";
    }
    if (!s.collectives.empty()) {
        return std::to_string(s.collectives.size()) + " nonblocking collective(s) pending at "
               "the safe point (first: " + s.collectives.begin()->second + "), which a restart "
               "could not resume; complete them (MPI_Wait) before safe_point()";
    }
    if (!s.io.empty()) {
        return std::to_string(s.io.size()) + " nonblocking MPI-IO operation(s) pending at the "
               "safe point (first: " + s.io.begin()->second + "), which a restart could not "
               "resume and which may change memory or the file after the cut; complete them "
               "(MPI_Wait) before safe_point()";
    }
    if (!s.splits.empty()) {
        return std::string("a split collective MPI-IO operation open at the safe point (") +
               s.splits.begin()->second + " not yet ended), which a restart could not resume; "
               "end it (the matching _end call) before safe_point()";
    }
    for (const auto& [win, w] : s.windows) {
        if (w.epochs > 0) {
            return std::string("an RMA access or exposure epoch open at the safe point (") +
                   w.epoch_call + " not yet closed), in which memory may change after the cut; "
                   "close it (MPI_Win_complete, MPI_Win_wait) before safe_point()";
        }
        if (!w.operations.empty()) {
            return std::string("an RMA operation (") + w.operations.begin()->second +
                   " to rank " + std::to_string(w.operations.begin()->first) + ") not yet completed by "
                   "a synchronisation at the safe point, which may change memory after the "
                   "cut; synchronise (MPI_Win_fence, _flush, _unlock) before safe_point()";
        }
    }
    return "";
}

}  // namespace cairn::detail::boundary
