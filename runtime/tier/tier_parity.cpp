// The node-local tier's parity mode (redundancy = xor:N or rs:N+K): set-up of the redundancy
// sets and the restart step that rebuilds lost images from parity (docs/tiers.md).
#include "tier.hpp"

#include "common/error.hpp"
#include "mpi/comm.hpp"
#include "sets.hpp"

#include <cstdio>

namespace cairn::detail {

void node_tier::setup_parity(MPI_Comm user) {
    const std::string name = cfg_.node_split > 0 ? table_.names[static_cast<std::size_t>(node_)]
                                                 : own_node_name();
    const std::string mine = failure_domain(cfg_.failure_domain, name);
    const std::vector<std::string> by_rank = allgather_strings(user, mine);
    std::vector<std::string> domains;
    for (int n = 0; n < table_.nodes(); ++n) {
        domains.push_back(by_rank[static_cast<std::size_t>(table_.ranks_on(n).front())]);
    }
    const int k = cfg_.set_parity;
    set_layout layout = form_sets(table_, domains, cfg_.set_data + k, k);
    parity_ = std::make_unique<parity_sets>(comm_, std::move(layout), k,
                                            cfg_.redundancy == redundancy_kind::xor_set);
    const std::string scheme = redundancy_name(cfg_);
    const set_layout& l = parity_->layout();
    if (l.sets.empty()) {
        log(0, "warning: local tier: redundancy " + scheme + " needs at least " +
                   std::to_string(k + 1) + " nodes; with " + std::to_string(table_.nodes()) +
                   " node(s) no parity is kept (a lost node loses its checkpoints)");
        return;
    }
    const std::vector<int> bare = l.unprotected();
    if (!bare.empty()) {
        log(1, "warning: local tier: ranks " + rank_ranges(bare) +
                   " are in no redundancy set (their node has more ranks than the other nodes "
                   "of its group): a lost node loses their checkpoints");
    }
    log(2, "local tier: redundancy " + scheme + ", " + std::to_string(l.sets.size()) +
               " set(s) over " + std::to_string(table_.nodes()) + " node(s)" +
               (cfg_.failure_domain.empty() ? "" : " spread over failure domains (" +
                                                       cfg_.failure_domain + ")") +
               ":" + parity_->describe(table_));
}

bool node_tier::try_epoch_parity(std::uint64_t e, const std::vector<buffer_desc>& bufs,
                                 restore_result& out, std::string& why, own_read& own, double t0) {
    parity_sets::rebuild_result r = parity_->rebuild(store_, e, own.have, bufs, cfg_.verbose);
    if (!r.missing.empty()) {
        const int r0 = r.missing.front();
        const std::string reason = first_message(comm_, rank_ == r0, own.why);
        why = "checkpoint " + std::to_string(e) + ": the data of rank(s) " +
              rank_ranges(r.missing) + " exists nowhere in the local tier (rank " +
              std::to_string(r0) + " on " +
              table_.names[static_cast<std::size_t>(table_.node_of[static_cast<std::size_t>(r0)])] +
              ": " + reason + "; " + r.why + ")";
        return false;
    }
    if (!own.img && r.image) own.img = std::move(r.image);
    std::string err = r.error;
    if (!own.img && err.empty()) err = where() + ": no image to restore";  // not expected
    const std::string bad = first_message(comm_, !err.empty(), err);
    if (!bad.empty()) {
        why = "checkpoint " + std::to_string(e) + ": " + bad;
        return false;
    }
    const std::string mismatch = own.mismatch.empty() ? r.mismatch : own.mismatch;
    const std::string first = first_message(comm_, !mismatch.empty(), mismatch);
    if (!first.empty()) {
        throw cairn::error("checkpoint " + std::to_string(e) +
                           " in the node-local tier does not match this job's registration: " +
                           first);
    }
    out.restored = true;
    out.meta = own.img->meta;
    out.path = own.path;
    channel_ = std::move(own.img->channel);
    int rebuilt = 0;
    std::string from;
    for (const auto& [set, ranks] : r.rebuilt) {
        rebuilt += static_cast<int>(ranks.size());
        from += std::string(from.empty() ? " (" : "; ") + (ranks.size() == 1 ? "rank " : "ranks ") +
                rank_ranges(ranks) +
                " from the parity of set " + std::to_string(set);
    }
    if (!from.empty()) from += ")";
    char line[256];
    std::snprintf(line, sizeof line, "%d rank(s) from local copies, %d rebuilt from %s parity",
                  size_ - rebuilt, rebuilt, redundancy_name(cfg_).c_str());
    char secs[64];
    std::snprintf(secs, sizeof secs, " (%.3f s)", MPI_Wtime() - t0);
    log(1, "restored checkpoint " + std::to_string(e) + " from the node-local tier: " + line +
               from + secs);
    return true;
}

}  // namespace cairn::detail
