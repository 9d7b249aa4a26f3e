#include "real/timing_stats.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace moesim::real {

double quantile_sorted(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

TimingStats summarize_timings(std::vector<double> samples_s) {
  if (samples_s.empty()) throw std::invalid_argument("summarize_timings: no samples");
  for (double s : samples_s)
    if (!std::isfinite(s) || s < 0)
      throw std::invalid_argument("summarize_timings: a sample is negative or not finite");
  std::sort(samples_s.begin(), samples_s.end());
  TimingStats t;
  t.repeats = static_cast<int>(samples_s.size());
  t.min_s = samples_s.front();
  t.max_s = samples_s.back();
  t.median_s = quantile_sorted(samples_s, 0.5);
  t.p10_s = quantile_sorted(samples_s, 0.1);
  t.p90_s = quantile_sorted(samples_s, 0.9);
  double sum = 0;
  for (double s : samples_s) sum += s;
  t.mean_s = sum / static_cast<double>(samples_s.size());
  return t;
}

}  // namespace moesim::real
