#include "sim/report/step_timeline.h"

#include "sim/sched/generators.h"

namespace moesim {

StepTimeline step_timeline(const Scenario& s, const Estimate& e) {
  StepTimeline t;
  const int n = e.phases.front().micro_batches;
  t.schedule = make_schedule(s.plan.schedule, s.plan.pp, n, s.plan.virtual_stages);
  const bool overlap = s.plan.schedule == ScheduleKind::kDualPipe ||
                       s.plan.schedule == ScheduleKind::kDualPipeV;
  const auto& st = e.stages;
  auto duration = [&](const Instruction& i) -> Seconds {
    const StageReport& a = st[static_cast<size_t>(i.chunk.stage)];
    switch (i.op) {
      case InstructionKind::kForward:
        return a.fwd + a.comm_fwd + a.p2p;
      case InstructionKind::kBackwardInput:
        return a.bwd_input + a.comm_bwd + a.p2p;
      case InstructionKind::kBackwardWeight:
        return a.bwd_weight;
      case InstructionKind::kBackwardFull:
        return a.bwd_input + a.bwd_weight + a.comm_bwd + a.p2p;
      case InstructionKind::kForwardBackward: {
        const StageReport& b = st[static_cast<size_t>(i.backward.stage)];
        const Seconds compute = a.fwd + b.bwd_input + b.bwd_weight;
        const Seconds comm = a.comm_fwd + b.comm_bwd + a.p2p + b.p2p;
        return overlap ? max(compute, comm) : compute + comm;
      }
      case InstructionKind::kOptimizerStep:
        return Seconds();
    }
    return Seconds();
  };
  t.run = simulate(t.schedule, duration);
  t.dp_sync = e.breakdown.dp_sync;
  t.optimizer = e.breakdown.optimizer;
  return t;
}

}  // namespace moesim
