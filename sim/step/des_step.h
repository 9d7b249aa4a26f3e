#pragma once
// The des fidelity: one training step executed on the discrete-event engine
// (sim/engine) from the schedule's instruction lists, op by op, with every EP
// dispatch/combine and pipeline send simulated on the SimGrid network as the
// other traffic of the moment lets it run.
//
// What runs (sim/cost/chunk_chains.h has the chains):
//  - one engine GPU per pipeline rank, standing for every GPU of its stage
//    (EP groups and DP replicas of a stage run the same work at the same
//    time); its compute is one GPU's, priced by the op graph at full SMs and
//    slowed by the engine while communication holds `comm_sms` SMs;
//  - a chunk is a chain of segments per layer: attention and gate, EP dispatch,
//    experts, EP combine (backward: the combine's gradient out like a
//    dispatch, the experts, the dispatch's gradient back like a combine, the
//    attention), dense layers as one segment, embedding / head / MTP on the
//    stages that hold them, then the pipeline send;
//  - a DualPipe F&B pair interleaves its two chains: compute on one stream,
//    EP communication on another, in the order a list schedule of the two
//    chains gives (backward first at ties, as in V3TR Figure 4), so one
//    chunk's dispatch runs under the other chunk's compute;
//  - each EP call is DeepEP's kernel (sim/net/deepep_model.h) for the
//    stage's first EP group of `ep` GPUs (the cluster's GPUs of a stage are
//    consecutive), with tokens routed once (uniform, seed 1); each pipeline
//    send moves every GPU of that group's activations to its counterpart on
//    the next stage's rank. Both go to one SimGrid session for the whole step
//    (make_network_backend), so concurrent calls and sends share NICs,
//    NVLink and leaf up-links;
//  - ZeRO gradient reduce-scatter of each stage as soon as its rank has run
//    that stage's last backward chunk, overlapping what is left of the
//    pipeline; then the optimizer step and the parameter all-gather; on their
//    own stream at their analytic ring times (sim/cost/step_boundary.h).
// What it does not model (said in reports): HBM interference beyond SM
// sharing (GpuConfig::interference is 0 until calibration sets it), other EP
// groups and DP replicas of a stage (identical by symmetry; their traffic
// meets the simulated group's only at leaf up-links), DP traffic on the
// simulated network, and the next step's forward under the all-gather.

#include <optional>
#include <vector>

#include "sim/cost/estimate.h"
#include "sim/engine/engine.h"
#include "sim/net/deepep_model.h"
#include "sim/net/network.h"
#include "sim/step/schedule_graph.h"

namespace moesim {

struct DesOptions {
  // kCollectives: one SimGrid parallel task per EP call or send (the default:
  // seconds for the headline); kFlows: every flow max-min fair on its own
  // (the reference; minutes at 2,048 GPUs).
  NetworkGranularity granularity = NetworkGranularity::kCollectives;
  // Collectives that meet no other on a link timed in closed form, the rest
  // in SimGrid (make_network_backend): the same step, faster. false: every
  // collective in SimGrid, the reference the shortcut is checked against.
  bool lone_closed_form = true;
  // GpuConfig::interference: unset, the cluster's calibration profile's
  // overlap.compute_slowdown, else 0 (SM sharing alone).
  std::optional<double> interference;
  // Every EP group of a rank's GPUs in each call and send, not only its first:
  // the unreduced simulation that the symmetry reduction is checked against
  // (tests/step/des_step_test.cpp, SymmetryReductionMatchesAllGroups).
  bool all_ep_groups = false;
};

struct DesStep {
  ScheduleGraph graph;
  EngineRun run;
  NetworkGranularity granularity = NetworkGranularity::kCollectives;
  size_t network_activities = 0;  // EP calls and pipeline sends simulated
  size_t network_in_simgrid = 0;
  double interference = 0;        // GpuConfig::interference used  // of those, met another on a link: SimGrid ran them
  std::vector<std::vector<TaskId>> dp_tasks;  // per rank: reduce-scatters, all-gather
  std::vector<TaskId> optimizer_tasks;         // per rank
  int slowest_rank = 0;  // the rank that finishes last
  Seconds compute_busy;  // slowest rank: compute-stream busy time
  Seconds exposed_comm;  // slowest rank: EP/TP/pipeline communication while compute idles
  Seconds dp_sync;       // slowest rank: DP collectives while both of those idle
  Seconds optimizer;     // slowest rank: its optimizer step
  Seconds step_time() const { return run.makespan; }
};

// DeepEP as the des step runs it for a scenario: tokens of one micro-batch of
// the first phase routed once (scenario_traffic: the routing, its steady bias
// and capacity dropping; sim/cost/expert_load.h), the kernel on comm_sms SMs,
// FP8 dispatch payload when the recipe says so. Shared with the trace
// calibration, which times the same call alone (sim/trace/trace_calibration.h).
// REQUIRES: s validated, MoE with ep > 1.
struct DeepEpSetup {
  EpTraffic traffic;
  DeepEpKernel kernel;
  EpCollectiveSpec spec;
};
DeepEpSetup deepep_setup(const Scenario& s);

// REQUIRES: s validated; e = estimate(s) (its ranks' stages and memory are used).
DesStep simulate_step(const Scenario& s, const Estimate& e, const DesOptions& o = {});

// The estimate with its first phase's step from the des step: step time,
// breakdown, tokens/s, MFU; phase wall times, GPU-hours and cost scaled by the
// des/analytic step ratio; fidelity "des" and its caveats.
Estimate des_estimate(const Scenario& s, const DesOptions& o = {});
// The same from a step already simulated: `analytic` = estimate(s), d =
// simulate_step(s, analytic) (a caller that also writes d's trace).
Estimate des_estimate(const Scenario& s, Estimate analytic, const DesStep& d);

}  // namespace moesim
