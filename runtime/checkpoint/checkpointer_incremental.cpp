// The incremental parts of the checkpointer: choosing full or delta when writing, and restoring
// a delta chain (base, then every link in order, stopping at the last one that verifies).
#include "checkpoint/checkpointer.hpp"

#include "common/error.hpp"
#include "storage/fsutil.hpp"
#include "h5/delta_file.hpp"
#include "mpi/comm.hpp"
#include "storage/naming.hpp"

#include <cstdio>
#include <cstring>

namespace cairn::detail {

void checkpointer::write_file(const std::string& tmp, const checkpoint_meta& meta,
                              const std::vector<buffer_desc>& bufs, const channel_state& chan,
                              incremental_plan& plan, write_timings& timings) {
    const write_options opts{cfg_.deflate_level, cfg_.direct_io};
    if (!cfg_.incremental) {
        write_checkpoint_file(tmp, comm_, meta, bufs, chan, opts, &timings);
        return;
    }
    const double t0 = MPI_Wtime();
    plan = inc_.prepare(comm_, bufs);
    const double t1 = MPI_Wtime();
    if (plan.delta) {
        write_delta_file(tmp, comm_, meta, plan.link, bufs, plan.changes, chan, cfg_.direct_io);
    } else {
        write_checkpoint_file(tmp, comm_, meta, bufs, chan, opts, &timings);
    }
    char line[200];
    std::snprintf(line, sizeof line, "incremental: %s, block hashes %.3f s, file written %.3f s",
                  plan.delta ? "delta" : "full", t1 - t0, MPI_Wtime() - t1);
    log(2, line);
}

namespace {

/// 0 ok, 1 corrupt, 2 mismatch; `msg` the text.
template <class F>
int attempt(F&& f, std::string& msg) {
    try {
        f();
    } catch (const mismatch_error& ex) {
        msg = ex.what();
        return 2;
    } catch (const std::exception& ex) {
        msg = ex.what();
        return 1;
    }
    return 0;
}

/// This rank's current packed bytes of every buffer.
std::vector<std::vector<unsigned char>> current_state(const std::vector<buffer_desc>& bufs) {
    std::vector<std::vector<unsigned char>> state(bufs.size());
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        buffer_desc b = bufs[i];
        if (b.variable) {
            const auto [p, n] = b.current();
            b.data = p;
            b.count = n;
            b.extent[0] = n;
        }
        std::vector<unsigned char> tmp;
        const unsigned char* p = packed_bytes(b, tmp);
        state[i].assign(p, p + b.bytes());
    }
    return state;
}

/// Copies the state into the application's buffers (resizing variable ones). Returns "" or why.
std::string install_state(const std::vector<buffer_desc>& bufs,
                          const std::vector<std::vector<unsigned char>>& state) {
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        const buffer_desc& b = bufs[i];
        const std::vector<unsigned char>& s = state[i];
        if (!b.variable) {
            unpack_bytes(b, s.data());
            continue;
        }
        const std::size_t esz = type_size(b.elem);
        if (s.size() % esz != 0) {
            return "'" + b.name + "': " + std::to_string(s.size()) +
                   " bytes are not a whole number of elements";
        }
        try {
            void* p = b.resize(s.size() / esz);
            if (p == nullptr && !s.empty()) return "resize of '" + b.name + "' returned null";
            if (!s.empty()) std::memcpy(p, s.data(), s.size());
        } catch (const std::exception& e) {
            return "cannot resize '" + b.name + "': " + e.what();
        }
    }
    return "";
}

}  // namespace

std::optional<restore_result> checkpointer::restore_chain(std::uint64_t epoch,
                                                          const delta_link& link,
                                                          const std::vector<buffer_desc>& bufs,
                                                          std::set<std::uint64_t>& bad,
                                                          std::vector<std::string>& failures) {
    const std::string path = join_path(cfg_.dir, checkpoint_name(epoch));
    if (link.nranks != size_) {
        throw cairn::error("checkpoint " + path +
                           " is an incremental (delta) checkpoint written "
                           "by " +
                           std::to_string(link.nranks) + " ranks, this job has " +
                           std::to_string(size_) +
                           ": a delta chain can only be restored on the "
                           "same rank count and decomposition; restart with " +
                           std::to_string(link.nranks) +
                           " ranks (only full checkpoints, such "
                           "as its base " +
                           checkpoint_name(link.base_epoch) + ", can change the rank count)");
    }
    if (link.chain.empty()) throw cairn::error("checkpoint " + path + " has an empty chain");
    const double t0 = MPI_Wtime();
    const std::string base = join_path(cfg_.dir, checkpoint_name(link.base_epoch));
    restore_result res;
    std::string msg;
    channel_state chan;
    int status = bad.count(link.base_epoch) != 0 ? 1 : 0;
    if (status == 0) {
        status = attempt(
            [&] { res.meta = read_checkpoint_file(base, comm_, bufs, chan, {cfg_.direct_io}); }, msg);
    } else {
        msg = "already found not usable";
    }
    int worst = 0;
    check_mpi(MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, comm_), "MPI_Allreduce");
    if (worst != 0) {
        const std::string why = first_message(comm_, status == worst, msg);
        if (worst == 2) {
            throw cairn::error("checkpoint " + base +
                               " does not match this job's registration: " + why);
        }
        log(1, "checkpoint " + path + " cannot be restored: its base " + base + " is not usable (" +
                   why + "); falling back to an older checkpoint");
        failures.push_back(path + ": base " + base + ": " + why);
        bad.insert(link.base_epoch);
        bad.insert(epoch);
        return std::nullopt;
    }
    res.restored = true;
    res.path = base;
    restored_channel_ = std::move(chan);

    std::vector<std::vector<unsigned char>> state = current_state(bufs);
    std::vector<std::uint64_t> links(link.chain.begin() + 1, link.chain.end());
    links.push_back(epoch);
    std::size_t applied = 0;
    for (const auto l : links) {
        const std::string lpath = join_path(cfg_.dir, checkpoint_name(l));
        checkpoint_meta meta;
        status = bad.count(l) != 0 ? 1 : 0;
        if (status == 0) {
            status =
                attempt([&] { meta = apply_delta_file(lpath, comm_, bufs, state, chan); }, msg);
        } else {
            msg = "already found not usable";
        }
        check_mpi(MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, comm_), "MPI_Allreduce");
        if (worst == 0) {  // every rank verified this link: now it may change the buffers
            msg = install_state(bufs, state);
            status = msg.empty() ? 0 : 3;
            check_mpi(MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, comm_), "MPI_Allreduce");
        }
        if (worst == 0) {
            res.meta = meta;
            res.path = lpath;
            restored_channel_ = std::move(chan);
            ++applied;
            continue;
        }
        const std::string why = first_message(comm_, status == worst, msg);
        if (worst == 2) {
            throw cairn::error("checkpoint " + lpath +
                               " does not match this job's registration: " + why);
        }
        if (worst == 3) throw cairn::error("restore from " + lpath + " stopped: " + why);
        log(1, "checkpoint " + lpath + " (delta) is not usable (" + why + "); restoring " +
                   res.path + ", the last link of its chain that verifies");
        failures.push_back(lpath + ": " + why);
        bad.insert(l);
        break;
    }
    char line[512];
    std::snprintf(line, sizeof line,
                  "restored checkpoint %llu from %s (base %s and %zu delta(s), %.3f s)",
                  static_cast<unsigned long long>(res.meta.epoch), res.path.c_str(),
                  checkpoint_name(link.base_epoch).c_str(), applied, MPI_Wtime() - t0);
    log(1, line);
    return res;
}

}  // namespace cairn::detail
