#pragma once
// The analytic (closed-form) estimate of a training run: per-stage compute from
// op costs, pipeline bubble of the schedule, communication from bandwidths with
// the overlap the schedule allows, memory per GPU, and time, GPU-hours and cost
// per training phase. Pure and cheap: microseconds per scenario, for sweeps.

#include <optional>
#include <string>
#include <vector>

#include "sim/cost/memory_model.h"
#include "sim/cost/schedule_model.h"
#include "sim/model/accounting.h"
#include "sim/scenario/scenario.h"

namespace moesim {

struct TimeBreakdown {
  Seconds compute;       // on the slowest rank, recomputation included
  Seconds exposed_comm;  // communication not hidden behind compute
  Seconds bubble;        // pipeline fill/drain and waiting for slower stages
  Seconds dp_sync;       // ZeRO gradient reduce-scatter + parameter all-gather
  Seconds optimizer;     // AdamW update of the local shard
  Seconds total() const { return compute + exposed_comm + bubble + dp_sync + optimizer; }
};

struct StageReport {
  int stage = 0;
  int first_layer = 0, layers = 0, dense_layers = 0, moe_layers = 0;
  bool embedding = false, head = false, mtp = false;
  Seconds fwd, bwd_input, bwd_weight, comm;  // per micro-batch; comm = the three below
  Seconds comm_fwd, comm_bwd, p2p;          // EP/TP in forward and backward; one PP send
};

struct RankReport {
  int rank = 0;
  std::vector<int> stages;
  double params = 0;
  RankMemory memory;
};

struct PhaseEstimate {
  std::string name;
  // Generation (RL rollouts, sim/cost/generation_time.h): a "step" is one
  // batch's prefill and decode, tokens are generated ones, and the phase is
  // analytic in both fidelities.
  PhaseKind kind = PhaseKind::kTraining;
  ParallelPlan plan;        // the plan the phase runs
  bool own_plan = false;    // the phase gives its own (else the scenario's)
  double tokens = 0, steps = 0;
  int seq_len = 0;
  int global_batch = 0;     // sequences, at full batch
  int micro_batches = 0;    // per DP rank per step, at full batch
  Seconds step_time;        // at full batch
  TimeBreakdown breakdown;  // at full batch
  Bytes memory_per_gpu;     // the largest rank's
  double tokens_per_s = 0;  // at full batch
  double mfu = 0;           // at full batch
  Seconds wall_time;        // the whole phase, batch ramp included
  double gpu_hours = 0;
  double cost_usd = 0;
};

// The busiest EP rank's load the step runs at and, under a balancing method,
// over the run (sim/cost/expert_load.h, sim/cost/balancing_run.h). Loads are
// the first phase's micro-batch.
struct LoadReport {
  BalancingMethod balancing = BalancingMethod::kNone;
  double gamma = 0, capacity_factor = 0;
  int redundant_experts = 0;
  ExpertLoad start, steady;  // the run's first step; the headline (steady) step
  // aux_free: the bias dynamics' expected imbalance (busiest rank / mean, no
  // group limit) at the first step and once steady; the first step from which
  // it stays within 5% of even (-1: not within the simulated steps).
  double start_imbalance = 1, steady_imbalance = 1;
  int steps_to_5pct = -1;
  int steps_simulated = 0;
  bool steady_reached = false;
  double run_steps = 0;
  Seconds start_step_time;         // the first phase's full-batch step at the start load
  Bytes start_memory;              // the largest rank's memory at the start load
  double transient_gpu_hours = 0;  // what the steps before steady add, all phases
};

struct Estimate {
  std::string scenario;
  std::string fidelity = "analytic";
  std::string gpu;
  int num_gpus = 0;
  ModelSummary model;  // at the first phase's sequence length
  // Headline figures: the first phase at its full batch.
  Seconds step_time;
  double tokens_per_s = 0;
  double mfu = 0;  // model FLOPs (MTP included) / (step x GPUs x BF16 dense peak)
  TimeBreakdown breakdown;
  std::vector<StageReport> stages;
  std::vector<RankReport> ranks;
  Bytes memory_per_gpu;  // the largest rank's
  Bytes hbm_capacity;
  bool fits = false;
  std::vector<PhaseEstimate> phases;
  Seconds wall_time;
  double gpu_hours = 0, cost_usd = 0;
  double gpu_hours_per_trillion_tokens = 0;  // all phases' hours per trained token
  // When the routing is skewed, experts are copied or a balancing method is set.
  std::optional<LoadReport> load;
  std::vector<std::string> warnings;  // about this scenario
  std::vector<std::string> caveats;   // what this fidelity cannot be trusted for
  // des fidelity only: the analytic estimate's first-phase step and breakdown
  // of the same scenario, which reports set beside the des figures.
  std::optional<Seconds> analytic_step_time;
  TimeBreakdown analytic_breakdown;
};

// REQUIRES: s passed load_scenario's validation.
Estimate estimate(const Scenario& s);

// One phase's full-batch step as the analytic estimate prices it: stage
// costs, the schedule's step model (DualPipe's fill and drain executed), the
// ranks' memory, DP sync and optimizer. `load`: the busiest EP rank's load to
// price at; null: the headline step's (sim/cost/expert_load.h).
struct PricedPhase {
  StageCosts costs;
  StepModel step;
  int mb_per_rank = 0;
  std::vector<RankReport> ranks;
  Seconds dp_sync, optimizer;
  Seconds fixed() const { return step.bubble + dp_sync + optimizer; }
  Seconds step_time() const { return step.per_micro_batch * mb_per_rank + fixed(); }
};
PricedPhase price_phase(const Scenario& s, const TrainingPhase& ph, const ExpertLoad* load);

}  // namespace moesim
