// The per-process runtime state behind the public API.
#pragma once

#include "agreement.hpp"
#include "checkpointer.hpp"
#include "config.hpp"
#include "mpi/comm.hpp"
#include "registry.hpp"
#include "scheduler.hpp"

#include <cairn/cairn.hpp>

#include <memory>
#include <string>

namespace cairn::detail {

/// One instance between cairn::init() and cairn::finalize().
class runtime {
public:
    runtime(int* argc, char*** argv, const init_options& opts);
    ~runtime();
    runtime(const runtime&) = delete;
    runtime& operator=(const runtime&) = delete;

    void finalize();
    registry& reg() { return reg_; }
    bool restore();
    void safe_point();
    void checkpoint_now();
    void request_checkpoint() { requested_ = true; }
    [[nodiscard]] bool restarted() const { return restarted_; }
    [[nodiscard]] bool exit_requested() const { return exit_; }
    [[nodiscard]] std::uint64_t index() const { return index_; }
    [[nodiscard]] std::uint64_t epoch() const { return epoch_; }
    [[nodiscard]] const config& cfg() const { return cfg_; }

private:
    enum class trigger { steps, time, request, signal, explicit_call };
    commit_result take_checkpoint(trigger why);
    void check_registration_agrees(const char* during);
    void log(int level, const std::string& msg) const;
    double job_mtbf() const;

    config cfg_;
    bool owns_mpi_ = false;
    bool finalized_ = false;
    owned_comm user_;  // duplicate of the host's communicator (ranks, topology)
    owned_comm ctl_;   // agreement traffic
    owned_comm io_;    // checkpoint I/O and commit protocol
    int rank_ = 0;
    int size_ = 0;
    int nodes_ = 1;
    registry reg_;
    std::unique_ptr<agreement> agree_;
    std::unique_ptr<checkpointer> ckpt_;
    std::unique_ptr<scheduler> sched_;
    std::uint64_t index_ = 0;
    std::uint64_t epoch_ = 0;
    bool scanned_ = false;
    bool restarted_ = false;
    bool restore_called_ = false;
    bool requested_ = false;
    bool exit_ = false;
    int signals_seen_ = 0;
};

}  // namespace cairn::detail
