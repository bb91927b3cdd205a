// When to checkpoint: fixed steps, fixed time, or the Young/Daly optimum from the measured cost δ
// and the job MTBF M. Decisions for time-based modes are taken on rank 0 only.
#pragma once

#include "common/config.hpp"

#include <cstdint>

namespace cairn::detail {

/// Interval policy state. Times in seconds (MPI_Wtime clock).
class scheduler {
public:
    /// `job_mtbf` is the job's MTBF M (node MTBF / nodes, refined by the job history).
    scheduler(const config& cfg, double job_mtbf, double start_time);

    /// True if, by steps, a checkpoint belongs at safe-point index `index` (same on all ranks).
    [[nodiscard]] bool due_by_steps(std::uint64_t index) const;

    /// True if, by time, a checkpoint is due at `now` (meaningful on rank 0).
    [[nodiscard]] bool due_by_time(double now) const;

    /// Records a finished checkpoint: application stall and background write time.
    void record(double stall, double write_time, double now);

    /// Current cost estimate δ [s] (EWMA of stalls, never below the last write time).
    [[nodiscard]] double delta() const;
    /// Job MTBF M [s].
    [[nodiscard]] double mtbf() const { return mtbf_; }
    /// Interval T in force [s] (0 when not time-based).
    [[nodiscard]] double interval() const;

private:
    const config& cfg_;
    double mtbf_;
    double last_ = 0;
    double stall_ewma_ = 0;
    double last_write_ = 0;
    bool measured_ = false;
};

}  // namespace cairn::detail
