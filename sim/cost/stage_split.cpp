#include "sim/cost/stage_split.h"

#include <algorithm>
#include <numeric>

#include "sim/core/check.h"

namespace moesim {

int StageSplit::first_layer(int stage) const {
  return std::accumulate(layers.begin(), layers.begin() + stage, 0);
}

namespace {

// Greedy fill under `cap`: stage s takes layers while it stays under cap and
// leaves at least one layer for each later stage. Returns an empty split when
// `cap` is infeasible.
// With `fair`, a stage also stops once it reaches its fair share of what is
// left, so that slack spreads over the stages instead of piling onto the last.
StageSplit fill(const std::vector<double>& cost, int stages, double first_extra,
                double last_extra, double cap, bool fair) {
  const int n = static_cast<int>(cost.size());
  StageSplit split;
  double left = first_extra + last_extra;
  for (double c : cost) left += c;
  int i = 0;
  for (int s = 0; s < stages; ++s) {
    const bool last = s == stages - 1;
    double w = (s == 0 ? first_extra : 0.0) + (last ? last_extra : 0.0);
    int taken = 0;
    const int must_leave = stages - 1 - s;
    if (last) {
      for (; i < n; ++i, ++taken) w += cost[i];
      if (w > cap) return {};
    } else {
      const double share = left / (stages - s);
      while (i < n - must_leave &&
             (taken == 0 || (w + cost[i] <= cap && (!fair || w + 0.5 * cost[i] <= share)))) {
        w += cost[i++];
        ++taken;
      }
      left -= w;
      if (w > cap) return {};
    }
    split.layers.push_back(taken);
  }
  return split;
}

}  // namespace

StageSplit balanced_split(const std::vector<double>& layer_costs, int num_stages,
                          double first_stage_extra, double last_stage_extra) {
  MOESIM_CHECK(num_stages >= 1 &&
                   static_cast<int>(layer_costs.size()) >= num_stages,
               "balanced_split needs at least one layer per stage");
  double lo = 0, hi = first_stage_extra + last_stage_extra;
  for (double c : layer_costs) {
    hi += c;
    lo = std::max(lo, c);
  }
  StageSplit best = fill(layer_costs, num_stages, first_stage_extra, last_stage_extra, hi, false);
  // Bisection on the bottleneck; 60 halvings resolve any double-valued cap.
  for (int it = 0; it < 60 && hi - lo > 1e-12 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    StageSplit s = fill(layer_costs, num_stages, first_stage_extra, last_stage_extra, mid, false);
    if (s.layers.empty()) {
      lo = mid;
    } else {
      hi = mid;
      best = std::move(s);
    }
  }
  MOESIM_CHECK(!best.layers.empty(), "no feasible stage split");
  StageSplit fair = fill(layer_costs, num_stages, first_stage_extra, last_stage_extra, hi, true);
  if (!fair.layers.empty()) return fair;
  return best;
}

namespace {

// Greedy fill of rank pairs from the outside in under `cap` on each rank's
// load. Rank r takes layers for its front stage (from the front of what is
// left) and its back stage (from the back), always feeding the lighter of the
// two, until the next layer would pass `cap` or its fair share of what is left.
// Returns an empty split when `cap` is infeasible.
StageSplit fill_pairs(const std::vector<double>& cost, int stages, double first_extra,
                      double last_extra, double cap) {
  const int n = static_cast<int>(cost.size());
  const int ranks = stages / 2;
  std::vector<int> layers(stages, 0);
  double left = first_extra + last_extra;
  for (double c : cost) left += c;
  int lo = 0, hi = n - 1;  // remaining layers are [lo, hi]
  for (int r = 0; r < ranks; ++r) {
    const int front = r, back = stages - 1 - r;
    double wf = r == 0 ? first_extra : 0.0, wb = r == 0 ? last_extra : 0.0;
    const bool inner = r == ranks - 1;
    const double share = left / (ranks - r);
    const int must_leave = 2 * (ranks - 1 - r);
    while (lo <= hi) {
      const int remaining = hi - lo + 1;
      const bool front_empty = layers[front] == 0, back_empty = layers[back] == 0;
      if (!inner) {
        const int needed = (front_empty ? 1 : 0) + (back_empty ? 1 : 0);
        if (!front_empty && !back_empty) {
          if (remaining <= must_leave) break;
        } else if (remaining - 1 < must_leave + needed - 1) {
          break;
        }
      }
      const bool to_front = front_empty || (!back_empty && wf <= wb);
      const double c = to_front ? cost[lo] : cost[hi];
      const bool need_one = front_empty || back_empty;
      if (!inner && !need_one && (wf + wb + c > cap || wf + wb + 0.5 * c > share)) break;
      if (to_front) {
        wf += cost[lo++];
        ++layers[front];
      } else {
        wb += cost[hi--];
        ++layers[back];
      }
    }
    if (layers[front] == 0 || layers[back] == 0 || wf + wb > cap) return {};
    left -= wf + wb;
  }
  if (lo <= hi) return {};
  return StageSplit{layers};
}

}  // namespace

StageSplit balanced_pair_split(const std::vector<double>& layer_costs, int num_stages,
                               double first_stage_extra, double last_stage_extra) {
  MOESIM_CHECK(num_stages >= 2 && num_stages % 2 == 0 &&
                   static_cast<int>(layer_costs.size()) >= num_stages,
               "balanced_pair_split needs an even stage count and a layer per stage");
  double lo = 0, hi = first_stage_extra + last_stage_extra;
  for (double c : layer_costs) hi += c;
  StageSplit best;
  // Bisection on the heaviest rank; the loosest cap (everything) is feasible
  // only for the inner rank, so start from the total and shrink.
  for (int it = 0; it < 60; ++it) {
    const double mid = 0.5 * (lo + hi);
    StageSplit s = fill_pairs(layer_costs, num_stages, first_stage_extra, last_stage_extra, mid);
    if (s.layers.empty()) {
      lo = mid;
    } else {
      hi = mid;
      best = std::move(s);
    }
  }
  if (best.layers.empty())
    best = fill_pairs(layer_costs, num_stages, first_stage_extra, last_stage_extra, hi);
  if (best.layers.empty())
    return balanced_split(layer_costs, num_stages, first_stage_extra, last_stage_extra);
  return best;
}

}  // namespace moesim
