#include "sim/cost/executed_schedule.h"

namespace moesim {

InstructionTimes::InstructionTimes(const StageCosts& costs, const ChainContext* chains)
    : costs_(&costs) {
  if (chains) {
    chains_ = *chains;
    chains_->names = false;
  }
}

Seconds InstructionTimes::pair(int f, int b) const {
  const std::pair<int, int> key{f, b};
  auto it = pairs_.find(key);
  if (it == pairs_.end()) it = pairs_.emplace(key, pair_span(*chains_, f, b)).first;
  return it->second;
}

Seconds InstructionTimes::chained(const Instruction& i) const {
  if (i.op == InstructionKind::kForwardBackward) return pair(i.chunk.stage, i.backward.stage);
  const std::pair<int, int> key{i.chunk.stage, static_cast<int>(i.op)};
  auto it = lone_.find(key);
  if (it != lone_.end()) return it->second;
  const ChainPass pass = i.op == InstructionKind::kForward         ? ChainPass::kForward
                         : i.op == InstructionKind::kBackwardInput ? ChainPass::kBackwardInput
                         : i.op == InstructionKind::kBackwardFull  ? ChainPass::kBackwardFull
                                                                   : ChainPass::kBackwardWeight;
  ChainContext alone = *chains_;
  alone.alone = true;
  const std::vector<Segment> chain = stage_chain(alone, i.chunk.stage, pass);
  const Seconds t = pass == ChainPass::kForward ? interleave(chain, {}).span
                                                : interleave({}, chain).span;
  return lone_.emplace(key, t).first->second;
}

Seconds InstructionTimes::operator()(const Instruction& i) const {
  if (i.op == InstructionKind::kOptimizerStep) return Seconds();
  if (chains_) return chained(i);
  const StageCost& a = costs_->stages[static_cast<size_t>(i.chunk.stage)];
  const UnitCost& u = a.total;
  switch (i.op) {
    case InstructionKind::kForward:
      return u.fwd + u.comm_fwd + a.p2p;
    case InstructionKind::kBackwardInput:
      return u.bwd_input + u.comm_bwd + a.p2p;
    case InstructionKind::kBackwardWeight:
      return u.bwd_weight;
    case InstructionKind::kBackwardFull:
      return u.bwd_input + u.bwd_weight + u.comm_bwd + a.p2p;
    case InstructionKind::kForwardBackward: {
      const StageCost& b = costs_->stages[static_cast<size_t>(i.backward.stage)];
      return u.fwd + u.comm_fwd + a.p2p + b.total.bwd_input + b.total.bwd_weight +
             b.total.comm_bwd + b.p2p;
    }
    case InstructionKind::kOptimizerStep:
      break;
  }
  return Seconds();
}

ScheduleRun execute_schedule(const Schedule& schedule, const InstructionTimes& times) {
  return simulate(schedule, [&](const Instruction& i) { return times(i); });
}

Seconds executed_makespan(const CompiledSchedule& schedule, const InstructionTimes& times) {
  std::vector<Seconds> t;
  t.reserve(schedule.keys().size());
  for (const Instruction& i : schedule.keys()) t.push_back(times(i));
  return schedule.makespan(t);
}

}  // namespace moesim
