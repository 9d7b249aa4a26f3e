#pragma once
// Memory per GPU of each pipeline rank: weights (BF16 working copy), gradients
// and AdamW state (master weights + two moments) with ZeRO sharding over the
// data-parallel group of each parameter (dense: dp; experts: dp*tp/ep), plus
// the activations the schedule keeps in flight (DualPipe README table:
// 1F1B/ZB1P PP micro-batches on the first rank, DualPipe(V) PP+1 chunks,
// interleaved 1F1B PP(1 + (PP-1)/(PP v)); under EP all-to-all overlap one
// chunk more interleaved, 2(PP-r-1)+2 for 1F1B: one_f_one_b.cpp). ZeRO-3 / FSDP add the gathered copies of
// the units in use (two when resharded after forward, else all the rank's).
// No allocator fragmentation, CUDA
// context or communication buffers are counted.

#include <vector>

#include "sim/cost/schedule_model.h"

namespace moesim {

struct RankMemory {
  Bytes weights, gradients, optimizer, activations;
  double params = 0;
  Bytes total() const { return weights + gradients + optimizer + activations; }
};

std::vector<RankMemory> rank_memory(const Scenario& s, const StageCosts& costs,
                                    const StepModel& step, int micro_batches);

}  // namespace moesim
