#pragma once
// What a training step costs at its boundary, per pipeline rank: the ZeRO
// data-parallel traffic (gradient reduce-scatter, parameter all-gather) and
// the optimizer step. The analytic estimate adds both after the pipeline
// drains; the des step runs them on each rank as soon as its gradients are
// ready (sim/step/des_step.h).
#include "sim/core/units.h"
#include "sim/cost/stage_cost.h"
#include "sim/scenario/scenario.h"

namespace moesim {

struct DpSync {
  Seconds reduce_scatter;  // gradients (ZeRO-0: the first half of an all-reduce)
  Seconds all_gather;      // BF16 parameters (ZeRO-0: the second half)
  Seconds total() const { return reduce_scatter + all_gather; }
};

// ZeRO traffic for the parameters of `stages`, over IB (DP peers sit on other
// nodes): dense parameters among the DP ranks, expert parameters among the
// DP x TP / EP replicas of each expert; ring collectives at the achievable IB
// bandwidth (sim/cost/comm_model.h). Zero under ZeRO-3 / FSDP, whose
// collectives run per unit inside the chunks (stage_cost.h).
DpSync dp_sync_time(const Scenario& s, const std::vector<int>& stages, const StageCosts& costs);

// AdamW over the local shard of `optimizer_bytes` of optimizer state: read and
// write master weights and both moments, read the gradient, write the BF16
// weight. HBM-bound, at the efficiency table's memory efficiency.
Seconds optimizer_time(const Scenario& s, Bytes optimizer_bytes);

}  // namespace moesim
