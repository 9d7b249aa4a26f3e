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
    // ZeRO-3 / FSDP also hold gathered parameters: resharded after forward,
    // the unit in use and the next one prefetched (two of the rank's
    // largest); else every unit between its forward and its backward.
    double gathered = 0;
    if (p.gathers_parameters()) {
      if (p.reshard_after_forward) {
        auto unit_params = [](const UnitCost& u) { return u.params_dense + u.params_expert; };
        const UnitPrices& u = costs.units;
        double largest = 0;
        for (int si : step.rank_stages[r]) {
          const StageCost& st = costs.stages[si];
          for (const auto& [held, unit] : {std::pair{st.dense_layers > 0, &u.dense},
                                           std::pair{st.moe_layers > 0, &u.moe},
                                           std::pair{st.has_embedding, &u.embed},
                                           std::pair{st.has_head, &u.head},
                                           std::pair{st.has_mtp, &u.mtp}})
            if (held) largest = std::max(largest, unit_params(*unit));
        }
        gathered = std::min(2.0 * largest, m.params);
      } else {
        gathered = m.params;
      }
    }
    m.weights =
        ByteCount((p.gathers_parameters() ? sharded_params + gathered : m.params) * kWeightBytes);
    m.gradients = ByteCount((p.zero_stage >= 2 ? sharded_params : m.params) * pr.grad_bytes);
    m.optimizer = ByteCount((p.zero_stage >= 1 ? sharded_params : m.params) * opt_bytes);

    // In-flight micro-batches (in units of the rank's per-micro-batch stages).
    const int rank_count = static_cast<int>(step.rank_stages[r].size());
    double in_flight = 0;
    switch (p.schedule) {
      case ScheduleKind::k1F1B:
      case ScheduleKind::kZb1p:
        // Paired (EP all-to-all overlap): 2(pp-r-1)+1 warm-up forwards and
        // the one in the pair (one_f_one_b.cpp).
        in_flight = std::min(micro_batches, p.ep_a2a_overlap ? 2 * (p.pp - r - 1) + 2 : p.pp - r);
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
    // Interleaved under EP all-to-all overlap: the extra warm-up forward,
    // one more chunk held.
    if (p.ep_a2a_overlap && p.schedule == ScheduleKind::kInterleaved1F1B)
      in_flight = std::min<double>(in_flight + 1.0 / rank_count, micro_batches);
    m.activations = act_per_mb * in_flight;
    out.push_back(m);
  }
  return out;
}

}  // namespace moesim
