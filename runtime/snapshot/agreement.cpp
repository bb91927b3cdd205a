#include "snapshot/agreement.hpp"

#include "common/error.hpp"

namespace cairn::detail {

agreement::agreement(MPI_Comm comm, int lookahead)
    : comm_(comm), lookahead_(lookahead < 1 ? 1 : lookahead) {}

void agreement::start(std::uint64_t index, agreement_flags local) {
    send_ = {local.checkpoint ? 1 : 0, local.exit ? 1 : 0};
    recv_ = {0, 0};
    check_mpi(PMPI_Iallreduce(send_.data(), recv_.data(), 2, MPI_INT, MPI_MAX, comm_, req_.out()),
              "MPI_Iallreduce (checkpoint agreement)");
    in_flight_ = true;
    decide_at_ = index + static_cast<std::uint64_t>(lookahead_);
    next_join_ = decide_at_;
}

agreement_flags agreement::decide(std::uint64_t index) {
    agreement_flags out;
    if (!started_) {
        started_ = true;
        next_join_ = index;
    }
    if (!in_flight_) return out;
    if (index < decide_at_) {
        req_.test();  // drive progress
        return out;
    }
    if (!req_.test()) {
        ++waits_;
        req_.wait();
    }
    in_flight_ = false;
    ++rounds_;
    out.checkpoint = recv_[0] != 0;
    out.exit = recv_[1] != 0;
    return out;
}

void agreement::maybe_start(std::uint64_t index, agreement_flags local) {
    if (!in_flight_ && started_ && index >= next_join_) start(index, local);
}

void agreement::reset(std::uint64_t index) {
    drain();
    started_ = true;
    next_join_ = index;
}

void agreement::drain() {
    if (in_flight_) {
        req_.wait();
        in_flight_ = false;
        ++rounds_;
    }
}

}  // namespace cairn::detail
