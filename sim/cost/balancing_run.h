#pragma once
// What auxiliary-loss-free balancing costs a run: the steps before the bias
// has evened the load out run slower than the steady step the report
// headlines (sim/cost/expert_load.h).
//
// Model: the bias dynamics give each simulated step t an expected imbalance
// c_t, from c_0 (the routing as given) to c_end (steady). The step's load is
// taken between the sampled start load L_0 and the steady L_end in proportion,
//   L_t = L_end + f_t (L_0 - L_end),   f_t = (c_t - c_end) / (c_0 - c_end) in [0, 1],
// and its time a(f) N_t + b(f), with a (per micro-batch) and b (bubble, DP
// sync, optimizer) priced by the analytic model at f = 0, 1/4, ..., 1 and
// interpolated linearly; N_t is the step's micro-batches under the phase's
// batch ramp. A phase's extra time is the sum over its steps of what that
// exceeds the steady step. Steps past the simulated ones are steady.

#include "sim/cost/estimate.h"

namespace moesim {

struct BalancingTransient {
  Seconds extra;          // wall time the phase's unsteady steps add
  Seconds start_step;     // the phase's full-batch step at the start load
  Bytes start_memory;     // the largest rank's memory at the start load
  bool priced = false;    // false: no transient (no aux_free, or nothing to even out)
};

// `first_step`: the run's steps before this phase; `steady`: the phase priced
// at the steady load. REQUIRES: s validated; phase_index in range.
BalancingTransient balancing_transient(const Scenario& s, size_t phase_index, double first_step,
                                       double phase_steps, const PricedPhase& steady);

}  // namespace moesim
