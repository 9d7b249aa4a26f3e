#pragma once
// DeepSeek-V3's auxiliary-loss-free load balancing (V3TR §2.1.2) over training
// steps: each routed expert has a bias added to its affinity for top-k
// selection only; after each step the bias of an overloaded expert drops by
// gamma and that of an underloaded one rises by gamma (the sign rule).
//
// Model (ours, stated): a token's affinity for expert e is log(popularity_e)
// plus independent Gumbel noise, so top-k selection is weighted sampling
// without replacement by popularity, as sim/model/routing.h samples it; a bias
// b_e then multiplies the weight by exp(b_e), and gamma is in those log units.
// Per step the expected selection probability of each expert is taken as
// k q_e / sum(q) capped at 1 with the excess spread over the others
// (water-filling), q_e = popularity_e exp(b_e); no group limit. The EP rank
// load is the sum over its contiguous experts. Deterministic, no sampling.

#include <vector>

namespace moesim {

struct BalancingRun {
  std::vector<double> imbalance;  // per step, before its update: busiest rank / mean
  std::vector<double> bias;       // after the last step, per expert
  bool steady = false;            // balance_until_steady stopped early: the rest repeats
  // First step whose imbalance is at most `tolerance` and stays so; -1: never.
  int steps_to(double tolerance) const;
};

// REQUIRES: popularity.size() divisible by ep, entries > 0; 1 <= top_k <= size; gamma >= 0.
BalancingRun simulate_aux_free_balancing(const std::vector<double>& popularity, int top_k, int ep,
                                         double gamma, int steps);

// The same dynamics over at most `max_steps` steps, stopped once the imbalance
// has stayed within a band of 0.005 over the last max(100, 0.2 / gamma) steps
// (the sign rule then only dithers around balance, or gamma is 0 and nothing
// moves): a run's remaining steps repeat the last ones. What a run prices.
// REQUIRES: as simulate_aux_free_balancing; max_steps >= 1.
BalancingRun balance_until_steady(const std::vector<double>& popularity, int top_k, int ep,
                                  double gamma, int max_steps);

}  // namespace moesim
