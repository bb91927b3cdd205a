// Agreement on checkpoint requests without a global stop.
//
// Rounds of MPI_Iallreduce(MAX) on a private communicator start at safe-point indices
// s0, s0+L, s0+2L, ... (the same indices on every rank, because every rank calls safe_point()
// equally often). A round started at index j carries each rank's request flags; its result is
// acted on at index j+L on every rank, so the checkpoint index K = j+L is known in advance and a
// rank waits only if the reduction is still in flight when it reaches K.
#pragma once

#include "mpi/comm.hpp"

#include <array>
#include <cstdint>

namespace cairn::detail {

/// Request flags carried by one round.
struct agreement_flags {
    bool checkpoint = false;  ///< some rank wants a checkpoint
    bool exit = false;        ///< some rank wants checkpoint-then-exit
};

/// See the file comment.
class agreement {
public:
    /// `comm` must be private to this object (duplicated). Lookahead L >= 1.
    agreement(MPI_Comm comm, int lookahead);

    /// Called first at every safe point. Returns the agreed flags when `index` is a round's
    /// decision point (K = j+L), waiting for the reduction if needed; else all false.
    agreement_flags decide(std::uint64_t index);

    /// Called after any checkpoint at this safe point, with the requests still pending on this
    /// rank. Starts the next round when one is due at `index`.
    void maybe_start(std::uint64_t index, agreement_flags local);

    /// Restarts the schedule at `index` (after a restore). Completes any round in flight.
    void reset(std::uint64_t index);

    /// Completes the round in flight (collective; call at finalize).
    void drain();

    /// Rounds completed, and how often a rank had to wait at K.
    [[nodiscard]] std::uint64_t rounds() const { return rounds_; }
    [[nodiscard]] std::uint64_t waits() const { return waits_; }

private:
    void start(std::uint64_t index, agreement_flags local);
    MPI_Comm comm_;
    int lookahead_;
    bool started_ = false;     ///< a schedule exists
    std::uint64_t next_join_ = 0;  ///< index at which the next round starts
    std::uint64_t decide_at_ = 0;  ///< K of the round in flight
    bool in_flight_ = false;
    std::array<int, 2> send_{};
    std::array<int, 2> recv_{};
    owned_request req_;
    std::uint64_t rounds_ = 0;
    std::uint64_t waits_ = 0;
};

}  // namespace cairn::detail
