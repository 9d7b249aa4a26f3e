#include "sim/cost/memory_model.h"

#include <algorithm>

namespace moesim {

namespace {
// BF16 working copy of the weights (FP8 GEMMs quantise it on the fly; V3TR §3.3).
constexpr double kWeightBytes = 2.0;
}  // namespace

std::vector<RankMemory> rank_memory(const Scenario& s, const StageCosts& costs,
                                    const StepModel& step, int micro_batches) {
  const ParallelPlan& p = s.plan;
  const PrecisionSpec& pr = s.precision;
  // ZeRO shards over the ranks that hold the same weights: DP x CP for the
  // dense ones, the stage's GPUs over EP x ETP for the routed experts.
  const double dense_shard = std::max(1, p.weight_replicas());
  const double expert_shard = std::max(1, p.expert_replicas());
  const double opt_bytes = pr.master_weight_bytes + 2.0 * pr.optimizer_state_bytes;
  const double stages = step.num_model_stages;

  std::vector<RankMemory> out;
  for (int r = 0; r < p.pp; ++r) {
    RankMemory m;
    double dense = 0, expert = 0;
    Bytes act_per_mb;
    for (int si : step.rank_stages[r]) {
      dense += costs.stages[si].total.params_dense;
      expert += costs.stages[si].total.params_expert;
      act_per_mb += costs.stages[si].total.activations;
    }
    m.params = dense + expert;
    const double sharded_params = dense / dense_shard + expert / expert_shard;
    m.weights = ByteCount((p.zero_stage >= 3 ? sharded_params : m.params) * kWeightBytes);
    m.gradients = ByteCount((p.zero_stage >= 2 ? sharded_params : m.params) * pr.grad_bytes);
    m.optimizer = ByteCount((p.zero_stage >= 1 ? sharded_params : m.params) * opt_bytes);

    // In-flight micro-batches (in units of the rank's per-micro-batch stages).
    const int rank_count = static_cast<int>(step.rank_stages[r].size());
    double in_flight = 0;
    switch (p.schedule) {
      case ScheduleKind::k1F1B:
      case ScheduleKind::kZb1p:
        in_flight = std::min(micro_batches, p.pp - r);
        break;
      case ScheduleKind::kInterleaved1F1B:
        in_flight = p.pp * (1.0 + (p.pp - 1.0) / (p.pp * std::max(1, p.virtual_stages)));
        in_flight = std::min<double>(in_flight, micro_batches);
        break;
      case ScheduleKind::kDualPipe:
      case ScheduleKind::kDualPipeV:
        // PP+1 chunks, each one of the rank's stages: (PP+1)/2 of each.
        in_flight = (stages + 1.0) / rank_count;
        break;
    }
    m.activations = act_per_mb * in_flight;
    out.push_back(m);
  }
  return out;
}

}  // namespace moesim
