#include "sim/model/aux_free_balancing.h"

#include <algorithm>
#include <cmath>

#include "sim/core/check.h"

namespace moesim {

namespace {

// Per-expert selection probability of top-k weighted sampling without
// replacement, approximated by water-filling k q / sum(q) under a cap of 1.
std::vector<double> selection(const std::vector<double>& q, int k) {
  const size_t n = q.size();
  std::vector<double> p(n, 0.0);
  std::vector<bool> capped(n, false);
  double left = k;
  for (size_t round = 0; round < n; ++round) {
    double total = 0;
    for (size_t e = 0; e < n; ++e)
      if (!capped[e]) total += q[e];
    bool again = false;
    for (size_t e = 0; e < n; ++e) {
      if (capped[e]) continue;
      p[e] = left * q[e] / total;
      if (p[e] > 1.0) again = true;
    }
    if (!again) break;
    for (size_t e = 0; e < n; ++e)
      if (!capped[e] && p[e] >= 1.0) {
        capped[e] = true;
        p[e] = 1.0;
        left -= 1.0;
      }
  }
  return p;
}

}  // namespace

int BalancingRun::steps_to(double tolerance) const {
  int first = -1;
  for (size_t i = 0; i < imbalance.size(); ++i) {
    if (imbalance[i] <= tolerance) {
      if (first < 0) first = static_cast<int>(i);
    } else {
      first = -1;
    }
  }
  return first;
}

namespace {

// Runs the sign rule; `steady_window` > 0 stops once the last that many
// imbalances lie within kSteadyBand.
constexpr double kSteadyBand = 0.005;

BalancingRun run_sign_rule(const std::vector<double>& popularity, int top_k, int ep, double gamma,
                           int steps, int steady_window) {
  const int n = static_cast<int>(popularity.size());
  MOESIM_CHECK(ep >= 1 && n % ep == 0 && top_k >= 1 && top_k <= n && gamma >= 0 && steps >= 0,
               "simulate_aux_free_balancing: bad arguments");
  for (double w : popularity) MOESIM_CHECK(w > 0, "popularity must be positive");
  BalancingRun run;
  run.bias.assign(static_cast<size_t>(n), 0.0);
  const double mean = static_cast<double>(top_k) / n;
  const int per_rank = n / ep;
  std::vector<double> q(static_cast<size_t>(n));
  for (int step = 0; step < steps; ++step) {
    for (int e = 0; e < n; ++e) q[e] = popularity[e] * std::exp(run.bias[e]);
    const std::vector<double> p = selection(q, top_k);
    double busiest = 0;
    for (int r = 0; r < ep; ++r) {
      double load = 0;
      for (int e = r * per_rank; e < (r + 1) * per_rank; ++e) load += p[e];
      busiest = std::max(busiest, load);
    }
    run.imbalance.push_back(busiest / (mean * per_rank));
    if (steady_window > 0 && static_cast<int>(run.imbalance.size()) >= steady_window) {
      const auto last = run.imbalance.end() - steady_window;
      const auto [lo, hi] = std::minmax_element(last, run.imbalance.end());
      if (*hi - *lo <= kSteadyBand) {
        run.steady = true;
        break;
      }
    }
    for (int e = 0; e < n; ++e)
      run.bias[e] += p[e] > mean ? -gamma : p[e] < mean ? gamma : 0.0;
  }
  return run;
}

}  // namespace

BalancingRun simulate_aux_free_balancing(const std::vector<double>& popularity, int top_k, int ep,
                                         double gamma, int steps) {
  return run_sign_rule(popularity, top_k, ep, gamma, steps, 0);
}

BalancingRun balance_until_steady(const std::vector<double>& popularity, int top_k, int ep,
                                  double gamma, int max_steps) {
  MOESIM_CHECK(max_steps >= 1, "balance_until_steady: max_steps must be positive");
  const double window = gamma > 0 ? std::ceil(0.2 / gamma) : 0.0;
  const int w = static_cast<int>(std::min<double>(max_steps, std::max(100.0, window)));
  return run_sign_rule(popularity, top_k, ep, gamma, max_steps, w);
}

}  // namespace moesim
