#include "schedule/scheduler.hpp"

#include "schedule/interval.hpp"

#include <algorithm>

namespace cairn::detail {

namespace {
// Cost assumed before the first checkpoint has been measured.
constexpr double initial_delta = 10.0;
constexpr double ewma_weight = 0.3;
}  // namespace

scheduler::scheduler(const config& cfg, double job_mtbf, double start_time)
    : cfg_(cfg), mtbf_(job_mtbf), last_(start_time) {}

bool scheduler::due_by_steps(std::uint64_t index) const {
    return cfg_.interval == interval_mode::steps && index > 0 && index % cfg_.interval_steps == 0;
}

bool scheduler::due_by_time(double now) const {
    const double t = interval();
    return t > 0 && now - last_ >= t;
}

void scheduler::record(double stall, double write_time, double now) {
    stall_ewma_ = measured_ ? (1 - ewma_weight) * stall_ewma_ + ewma_weight * stall : stall;
    measured_ = true;
    last_write_ = write_time;
    last_ = now;
}

double scheduler::delta() const {
    const double d = measured_ ? stall_ewma_ : initial_delta;
    return std::max({d, last_write_, 1e-3});
}

double scheduler::interval() const {
    switch (cfg_.interval) {
        case interval_mode::fixed: return std::max(cfg_.interval_seconds, last_write_);
        case interval_mode::young: return std::max(young_interval(delta(), mtbf_), last_write_);
        case interval_mode::daly: return std::max(daly_interval(delta(), mtbf_), last_write_);
        case interval_mode::off:
        case interval_mode::steps: return 0;
    }
    return 0;
}

}  // namespace cairn::detail
