#pragma once
// Summary statistics of repeated kernel timings: the median is what a calibration
// profile records; min/max and the 10th/90th percentiles show the spread. Pure.

#include <vector>

namespace moesim::real {

struct TimingStats {
  double median_s = 0;
  double min_s = 0;
  double max_s = 0;
  double p10_s = 0;  // percentiles by linear interpolation between order statistics
  double p90_s = 0;  // (Hyndman & Fan type 7, numpy's default)
  double mean_s = 0;
  int repeats = 0;
};

// REQUIRES: samples non-empty, every sample finite and >= 0 (std::invalid_argument
// otherwise).
TimingStats summarize_timings(std::vector<double> samples_s);

// The q-quantile (0 <= q <= 1) of sorted samples, type 7. REQUIRES: non-empty, sorted.
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace moesim::real
