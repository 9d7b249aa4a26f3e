#include "sim/cost/balancing_run.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "sim/cost/expert_load.h"

namespace moesim {

namespace {

constexpr int kLevels = 4;  // load levels priced between steady (0) and start (kLevels)

ExpertLoad between(const ExpertLoad& steady, const ExpertLoad& start, double f) {
  ExpertLoad l = steady;
  l.compute = steady.compute + f * (start.compute - steady.compute);
  l.receive = steady.receive + f * (start.receive - steady.receive);
  return l;
}

}  // namespace

BalancingTransient balancing_transient(const Scenario& s, size_t phase_index, double first_step,
                                       double phase_steps, const PricedPhase& steady) {
  BalancingTransient out;
  const auto run = balancing_trajectory(s);
  if (!run || run->imbalance.empty()) return out;
  // The phase as it runs (its own plan); the trajectory is the whole run's.
  const PhaseScenario phase(s, phase_index);
  const Scenario& ps = phase.get();
  const TrainingPhase& ph = s.training.phases[phase_index];
  const int tokens = ps.plan.moe_tokens_per_gpu(ph.seq_len);
  const ExpertLoad start = start_expert_load(ps, tokens);
  const ExpertLoad end = scenario_expert_load(ps, tokens);
  const double c0 = run->imbalance.front(), c_end = run->imbalance.back();
  if (!(c0 > c_end) || (start.compute <= end.compute && start.receive <= end.receive)) return out;

  std::array<Seconds, kLevels + 1> a, b;
  a[0] = steady.step.per_micro_batch;
  b[0] = steady.fixed();
  for (int i = 1; i <= kLevels; ++i) {
    const ExpertLoad l = between(end, start, static_cast<double>(i) / kLevels);
    const PricedPhase p = price_phase(ps, ph, &l);
    a[i] = p.step.per_micro_batch;
    b[i] = p.fixed();
    if (i == kLevels) {
      out.start_step = p.step_time();
      for (const RankReport& r : p.ranks) out.start_memory = max(out.start_memory, r.memory.total());
    }
  }
  out.priced = true;

  // The phase's steps that were simulated: global steps [first, last).
  const double simulated = static_cast<double>(run->imbalance.size());
  const double g = static_cast<double>(ps.plan.dp) * ps.plan.micro_batch_size;
  const double S = ph.seq_len, B = ph.batch.sequences;
  const bool ramp = ph.batch.ramp_from > 0 && ph.batch.ramp_tokens > 0;
  const double B0 = ramp ? ph.batch.ramp_from : B, X = ramp ? ph.batch.ramp_tokens : 0;
  double consumed = 0;
  for (double j = 0; j < phase_steps && first_step + j < simulated; j += 1) {
    const size_t t = static_cast<size_t>(first_step + j);
    const double batch = consumed < X ? B0 + (B - B0) * consumed / X : B;
    consumed += batch * S;
    const double f = std::clamp((run->imbalance[t] - c_end) / (c0 - c_end), 0.0, 1.0);
    const double x = f * kLevels;
    const int i = std::min(kLevels - 1, static_cast<int>(x));
    const double w = x - i;
    const Seconds per_mb = a[i] + (a[i + 1] - a[i]) * w;
    const Seconds fixed = b[i] + (b[i + 1] - b[i]) * w;
    out.extra += (per_mb - a[0]) * (batch / g) + (fixed - b[0]);
  }
  return out;
}

}  // namespace moesim
