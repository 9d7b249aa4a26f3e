#pragma once
// A pipeline schedule's instruction lists executed with each instruction's
// analytic time (sim/sched/executor.h: a rank runs its list in order, an
// instruction once its inputs exist; no network). The analytic fidelity takes
// DualPipe's fill and drain from it, and the report's timeline is it.
//
// Instruction times for model stages a, b (per micro-batch):
//   with chains (DualPipe, DualPipeV: communication overlapped):
//     F&B(a, b)   pair_span(a, b): the two chains list-scheduled together
//     F, B, W     the chunk's chain alone: its compute and its communication
//                 in turn (a lone chunk has nothing to hide its calls behind)
//   without (schedules that do not overlap):
//     F  F + comm_fwd + p2p;  B  B + comm_bwd + p2p;  W  W;
//     B_full  B + W + comm_bwd + p2p
// Pair spans are computed once per (a, b).

#include <map>
#include <optional>
#include <utility>

#include "sim/cost/chunk_chains.h"
#include "sim/cost/stage_cost.h"
#include "sim/sched/compiled_schedule.h"
#include "sim/sched/executor.h"
#include "sim/sched/schedule.h"

namespace moesim {

class InstructionTimes {
 public:
  // `chains`, when given, over `costs`; both outlive this object.
  InstructionTimes(const StageCosts& costs, const ChainContext* chains);
  Seconds operator()(const Instruction& i) const;
  // The F&B pair of forward stage f and backward stage b (pair_span).
  // REQUIRES: constructed with chains.
  Seconds pair(int f, int b) const;

 private:
  Seconds chained(const Instruction& i) const;
  const StageCosts* costs_;
  std::optional<ChainContext> chains_;  // names off
  mutable std::map<std::pair<int, int>, Seconds> pairs_;  // (forward, backward stage)
  mutable std::map<std::pair<int, int>, Seconds> lone_;   // (stage, InstructionKind)
};

// The schedule `schedule` executed with `times`, timeline and all.
ScheduleRun execute_schedule(const Schedule& schedule, const InstructionTimes& times);

// Its makespan alone, each distinct instruction priced once (what the
// analytic fidelity needs, fast enough for sweeps).
Seconds executed_makespan(const CompiledSchedule& schedule, const InstructionTimes& times);

}  // namespace moesim
