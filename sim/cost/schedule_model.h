#pragma once
// Closed-form step time of a pipeline schedule over priced stages. The step is
// linear in the micro-batch count N: step(N) = per_micro_batch x N + fixed,
// which lets a batch-size ramp be integrated exactly (estimate.cpp).
//
// Bubbles are the DualPipe README's table (shared/reference §8.1) evaluated on
// the slowest stage: 1F1B (PP-1)(F+B); ZB1P (PP-1)(F+B-2W); interleaved 1F1B
// (PP-1)(F+B)/v; DualPipe and DualPipeV (PP/2-1)(F&B+B-3W), PP = stages. There
// B is the full backward (input + weights); communication counts as exposed in
// schedules without overlap and as hidden behind the other chunk's compute in
// DualPipe/DualPipeV (F&B = max(compute, communication) of the pair). Given
// the chunks' chains (chunk_chains.h), a DualPipe rank's steady state is its
// two F&B pairs list-scheduled instead (pair_span): the forward of one stage
// beside the backward of the other, so that communication no compute of the
// moment covers, as where the two stages hold different layer counts, counts
// as exposed. Under EP all-to-all overlap (ParallelPlan::ep_a2a_overlap) a
// 1F1B or interleaved rank's steady state is each chunk's F&B pair with a
// chunk of its own shape; the fill and drain come from the executed schedule
// (estimate.cpp) for every paired schedule.

#include <vector>

#include "sim/cost/executed_schedule.h"
#include "sim/cost/stage_cost.h"

namespace moesim {

struct StepModel {
  Seconds per_micro_batch;  // slope, on the slowest rank
  Seconds bubble;           // pipeline fill and drain on the slowest rank
  // Breakdown of per_micro_batch on the slowest rank:
  Seconds compute_per_mb;   // compute (recomputation included)
  Seconds exposed_comm_per_mb;
  Seconds imbalance_per_mb; // waiting for a slower stage (schedules without overlap)
  int slowest_rank = 0;
  int num_model_stages = 0;
  // Model stages each pipeline rank holds.
  std::vector<std::vector<int>> rank_stages;
};

// Model stages a schedule runs on `pp` ranks (pp; pp x v interleaved; 2 pp DualPipeV).
int model_stage_count(const ParallelPlan& p);

// REQUIRES: costs.stages.size() == model_stage_count(plan); `chained`, when
// given, built with chains over the same costs.
StepModel schedule_step(const ParallelPlan& plan, const StageCosts& costs,
                        const InstructionTimes* chained = nullptr);

}  // namespace moesim
