#pragma once
// The des fidelity, first form: one training step executed on the
// discrete-event engine (sim/engine) from the schedule's instruction lists,
// with
//  - compute tasks priced by the op graph at full SMs; while a communication
//    task holds `comm_sms` SMs the engine slows compute to the SMs left (the
//    analytic model instead charges the reduced share all the time);
//  - EP dispatch and combine priced by simulating them on the SimGrid network
//    (sim/net: one EP group, DeepEP's kernel model on `comm_sms` SMs, uniform
//    routing drawn with seed 1), once per run, then placed as communication
//    tasks: after their chunk's compute for a lone forward or backward, and
//    concurrently with the other chunk's compute in an overlapped F&B pair;
//  - pipeline sends, ZeRO sync and the optimizer at their analytic cost.
// What it does not model yet (said in reports): contention between concurrent
// collectives, op-level interleaving inside a chunk pair, HBM interference.

#include <vector>

#include "sim/cost/estimate.h"
#include "sim/engine/engine.h"
#include "sim/step/schedule_graph.h"

namespace moesim {

struct DesStep {
  ScheduleGraph graph;
  EngineRun run;
  Seconds dispatch, combine;  // one MoE layer, one micro-batch, simulated
  Seconds dp_sync, optimizer;
  int slowest_rank = 0;
  Seconds compute_busy;  // slowest rank: compute-stream busy time
  Seconds exposed_comm;  // slowest rank: communication while compute idles
  Seconds step_time() const { return run.makespan + dp_sync + optimizer; }
};

// REQUIRES: s validated; e = estimate(s) (its DP sync and optimizer are reused).
DesStep simulate_step(const Scenario& s, const Estimate& e);

// The estimate with its first phase's step from the des step: step time,
// breakdown, tokens/s, MFU; phase wall times, GPU-hours and cost scaled by the
// des/analytic step ratio; fidelity "des" and its caveats.
Estimate des_estimate(const Scenario& s);

}  // namespace moesim
