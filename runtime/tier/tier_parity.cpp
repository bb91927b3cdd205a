// The node-local tier's parity mode (redundancy = xor:N or rs:N+K): set-up of the redundancy
// sets and the restart step that rebuilds lost images from parity (docs/tiers.md).
#include "tier.hpp"

#include "common/error.hpp"
#include "h5/checkpoint_file.hpp"
#include "mpi/comm.hpp"
#include "sets.hpp"

#include <cstdio>
#include <optional>

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
                                 restore_result& out, std::string& why, double t0) {
    // 1. This rank's own image is verified (streamed once) but not loaded yet: if the epoch
    // turns out unusable, no registered buffer has been touched on any rank.
    const std::string own = store_.own_path(e, rank_);
    std::string own_why;
    int mine = 0;
    try {
        file_source src(own);
        if (!src.ok()) {
            own_why = "no local copy";
        } else {
            const std::string bad = verify_image(src, src.size());
            if (bad.empty()) {
                mine = 1;
            } else {
                own_why = own + ": " + bad;
            }
        }
    } catch (const std::exception& ex) {
        own_why = ex.what();
    }
    std::vector<int> have(static_cast<std::size_t>(size_), 0);
    check_mpi(MPI_Allgather(&mine, 1, MPI_INT, have.data(), 1, MPI_INT, comm_), "MPI_Allgather");

    // 2. Lost images rebuilt in memory and verified.
    parity_sets::rebuild_result r = parity_->rebuild(store_, e, have, cfg_.verbose);
    if (!r.missing.empty()) {
        const int r0 = r.missing.front();
        const std::string reason = first_message(comm_, rank_ == r0, own_why);
        why = "checkpoint " + std::to_string(e) + ": the data of rank(s) " +
              rank_ranges(r.missing) + " exists nowhere in the local tier (rank " +
              std::to_string(r0) + " on " +
              table_.names[static_cast<std::size_t>(table_.node_of[static_cast<std::size_t>(r0)])] +
              ": " + reason + "; " + r.why + ")";
        return false;
    }
    std::string err = r.error;
    if (mine == 0 && !r.image && err.empty()) err = where() + ": no image to restore";  // not expected
    const std::string bad = first_message(comm_, !err.empty(), err);
    if (!bad.empty()) {
        why = "checkpoint " + std::to_string(e) + ": " + bad;
        return false;
    }

    // 3. Every rank has its data: load it (the own image straight from its file).
    std::optional<image_head> img;
    std::string mismatch;
    try {
        if (r.image) {
            load_image(*r.image, bufs);
            image_head h;
            h.meta = r.image->meta;
            h.rank = r.image->rank;
            h.channel = std::move(r.image->channel);
            img = std::move(h);
        } else {
            file_source src(own);
            img = read_image(src, src.size(), own,
                             [&](const image_head& h) {
                                 if (h.rank != rank_ || h.meta.epoch != e ||
                                     h.meta.nranks != size_) {
                                     throw corrupt_error(own + " is the image of another rank, "
                                                               "epoch or rank count");
                                 }
                             },
                             bufs);
        }
    } catch (const mismatch_error& ex) {
        mismatch = ex.what();
    } catch (const std::exception& ex) {
        err = where() + ": " + ex.what();
    }
    const std::string first = first_message(comm_, !mismatch.empty(), mismatch);
    if (!first.empty()) {
        throw cairn::error("checkpoint " + std::to_string(e) +
                           " in the node-local tier does not match this job's registration: " +
                           first);
    }
    const std::string late = first_message(comm_, !err.empty(), err);
    if (!late.empty()) {  // the file changed after it was verified: buffers may be partly written
        why = "checkpoint " + std::to_string(e) + ": " + late;
        return false;
    }
    out.restored = true;
    out.meta = img->meta;
    out.path = own;
    channel_ = std::move(img->channel);
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
