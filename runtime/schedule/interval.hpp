// Young/Daly checkpoint interval and Daly's expected-waste model.
#pragma once

namespace cairn::detail {

/// Young (1974): T = sqrt(2 δ M). Requires δ > 0, M > 0 (throws std::invalid_argument).
double young_interval(double delta, double mtbf);

/// Daly (2006) higher-order optimum: for δ < 2M,
/// T = sqrt(2δM)[1 + (1/3)sqrt(δ/(2M)) + (1/9)(δ/(2M))] − δ, else T = M.
double daly_interval(double delta, double mtbf);

/// Daly's expected wall-clock time to finish `work` seconds of computation with checkpoints of
/// cost δ every T seconds of work, restart cost R and MTBF M:
///   T_w = M e^{R/M} (e^{(T+δ)/M} − 1) work / T.
double daly_expected_walltime(double work, double interval, double delta, double restart,
                              double mtbf);

/// Expected fraction of wall-clock time not spent on useful work: 1 − work / T_w.
double expected_waste(double interval, double delta, double restart, double mtbf);

}  // namespace cairn::detail
