#include "schedule/interval.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace cairn::detail {
namespace {

void require(bool ok, const char* fn, const char* what, double value) {
    if (ok) return;
    std::ostringstream os;
    os << fn << ": " << what << " (got " << value << ")";
    throw std::invalid_argument(os.str());
}

void require_positive(const char* fn, const char* name, double v) {
    require(std::isfinite(v) && v > 0, fn,
            (std::string(name) + " must be a finite number > 0").c_str(), v);
}

void require_non_negative(const char* fn, const char* name, double v) {
    require(std::isfinite(v) && v >= 0, fn,
            (std::string(name) + " must be a finite number >= 0").c_str(), v);
}

}  // namespace

double young_interval(double delta, double mtbf) {
    require_positive("young_interval", "checkpoint cost delta", delta);
    require_positive("young_interval", "MTBF", mtbf);
    return std::sqrt(2.0 * delta * mtbf);
}

double daly_interval(double delta, double mtbf) {
    require_positive("daly_interval", "checkpoint cost delta", delta);
    require_positive("daly_interval", "MTBF", mtbf);
    if (delta >= 2.0 * mtbf) return mtbf;
    const double x = delta / (2.0 * mtbf);
    return std::sqrt(2.0 * delta * mtbf) * (1.0 + std::sqrt(x) / 3.0 + x / 9.0) - delta;
}

double daly_expected_walltime(double work, double interval, double delta, double restart,
                              double mtbf) {
    require_non_negative("daly_expected_walltime", "work", work);
    require_positive("daly_expected_walltime", "interval", interval);
    require_non_negative("daly_expected_walltime", "checkpoint cost delta", delta);
    require_non_negative("daly_expected_walltime", "restart cost", restart);
    require_positive("daly_expected_walltime", "MTBF", mtbf);
    return mtbf * std::exp(restart / mtbf) * std::expm1((interval + delta) / mtbf) * work /
           interval;
}

double expected_waste(double interval, double delta, double restart, double mtbf) {
    const double tw = daly_expected_walltime(1.0, interval, delta, restart, mtbf);
    return 1.0 - 1.0 / tw;
}

}  // namespace cairn::detail
