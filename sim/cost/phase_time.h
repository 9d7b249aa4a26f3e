#pragma once
// Wall time of a training phase whose step time is linear in the micro-batch
// count, step(N) = a N + b, under a global-batch ramp that grows linearly in
// consumed tokens from B0 to B over X tokens (V3TR §4.2). With N = batch / g
// (g = dp x micro_batch_size) and batch(t) = B0 + (B - B0) t / X, the ramp takes
//   steps = X / (S (B - B0)) ln(B / B0)
//   time  = a X / (g S) + b steps
// exactly (S = sequence length), treating the batch as continuous. The rest of
// the phase runs at B.

#include "sim/core/units.h"
#include "sim/scenario/scenario.h"

namespace moesim {

struct PhaseTime {
  double tokens = 0;
  double steps = 0;
  Seconds wall_time;
};

// REQUIRES: phase validated (tokens or steps > 0, ramp_from < sequences).
PhaseTime phase_time(const TrainingPhase& phase, Seconds per_micro_batch, Seconds fixed,
                     int sequences_per_micro_batch_row);

// The run's optimizer steps: the sum over its phases (batch ramps included).
// REQUIRES: s validated.
double run_steps(const Scenario& s);

}  // namespace moesim
