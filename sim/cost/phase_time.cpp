#include "sim/cost/phase_time.h"

#include <algorithm>
#include <cmath>

namespace moesim {

PhaseTime phase_time(const TrainingPhase& phase, Seconds per_micro_batch, Seconds fixed,
                     int g) {
  PhaseTime out;
  const double S = phase.seq_len, B = phase.batch.sequences;
  const Seconds full_step = per_micro_batch * (B / g) + fixed;
  double ramp_tokens = 0, ramp_steps = 0;
  Seconds ramp_time;
  if (phase.batch.ramp_from > 0 && phase.batch.ramp_tokens > 0) {
    const double B0 = phase.batch.ramp_from;
    ramp_tokens = phase.batch.ramp_tokens;
    ramp_steps = ramp_tokens / (S * (B - B0)) * std::log(B / B0);
    ramp_time = per_micro_batch * (ramp_tokens / (g * S)) + fixed * ramp_steps;
  }
  if (phase.tokens > 0) {
    const double rest = std::max(0.0, phase.tokens - ramp_tokens);
    out.tokens = phase.tokens;
    out.steps = ramp_steps + rest / (S * B);
  } else {
    const double rest_steps = std::max(0.0, phase.steps - ramp_steps);
    out.steps = std::max(phase.steps, ramp_steps);
    out.tokens = ramp_tokens + rest_steps * S * B;
  }
  const double full_steps = out.steps - ramp_steps;
  out.wall_time = ramp_time + full_step * full_steps;
  return out;
}

double run_steps(const Scenario& s) {
  double steps = 0;
  for (size_t i = 0; i < s.training.phases.size(); ++i) {
    if (s.training.phases[i].kind == PhaseKind::kGeneration) continue;  // no optimizer steps
    const ParallelPlan& p = phase_plan(s, i);
    steps += phase_time(s.training.phases[i], Seconds(), Seconds(), p.dp * p.micro_batch_size).steps;
  }
  return steps;
}

}  // namespace moesim
