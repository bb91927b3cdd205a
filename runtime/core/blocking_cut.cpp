// The blocking mode's consistent cut: the same protocol as the non-blocking snapshot (colors,
// white-send counts, late messages logged), driven to its end on the application's thread at the
// safe point, before the checkpoint is written.
#include "core/runtime.hpp"

#include "pmpi/protocol.hpp"
#include "pmpi/requests.hpp"

#include <sched.h>

#include <cstdio>

namespace cairn::detail {

namespace {

// With application receives pending, a white message still owed after this long has most likely
// been matched by one of them (MPI hides it from probes) even if MPI does not show that request
// complete yet; the cut is then refused.
constexpr double owed_with_receives_seconds = 10.0;

}  // namespace

std::string runtime::blocking_cut(channel_state& chan) {
    protocol& p = protocol::get();
    std::string first_receive;
    const std::size_t receives = request_table::get().active_receives(&first_receive);
    p.cut();
    const double t0 = MPI_Wtime();
    bool gave_up = false;
    while (!p.progress()) {
        // Every rank is at this safe point: nothing red is sent until every rank has finished
        // this loop, so whatever is pulled here is white (sent before the cut) and is logged.
        pull_messages();
        const double waited = MPI_Wtime() - t0;
        // A message matched by an application request is one the cut can neither receive nor
        // save: refuse as soon as one of them is seen complete while messages are owed.
        if (!gave_up && receives > 0 && !p.missing_sources().empty() &&
            (waited > owed_with_receives_seconds ||
             request_table::get().receive_completed_unseen())) {
            gave_up = true;
            p.give_up("rank " + std::to_string(rank_) + " had " + std::to_string(receives) +
                      " receive request(s) pending across the safe point (first: " +
                      first_receive + ") and messages sent before the safe point are still "
                      "owed to it; such a request may have matched one of them, which cairn "
                      "can then neither receive nor save. Complete receives (MPI_Wait) before "
                      "safe_point(), or use mode=nonblocking");
        } else if (!gave_up && waited > cfg_.epoch_timeout) {
            gave_up = true;
            p.give_up("not complete after epoch_timeout (" +
                      std::to_string(static_cast<int>(waited)) +
                      " s): messages sent before the safe point never arrived");
        }
        sched_yield();
    }
    snapshot_outcome out = p.take_outcome();
    if (out.aborted) {
        // The rank that found the cause says it (the log is rank 0's only).
        if (out.why.rfind("another rank", 0) != 0 && rank_ != 0) {
            std::fprintf(stderr, "cairn: rank %d: checkpoint refused: %s\n", rank_,
                         out.why.c_str());
        }
        return out.why;
    }
    if (receives > 0) {
        log(1, "warning: " + std::to_string(receives) + " receive request(s) pending across the "
               "safe point at " + std::to_string(index_) + " on rank 0 (first: " + first_receive +
               "); a restart from this checkpoint will not re-create them");
    }
    chan = std::move(out.channel);
    return "";
}

}  // namespace cairn::detail
