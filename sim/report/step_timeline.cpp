#include "sim/report/step_timeline.h"

#include "sim/cost/executed_schedule.h"
#include "sim/cost/schedule_model.h"
#include "sim/sched/generators.h"

namespace moesim {

StepTimeline step_timeline(const Scenario& s, const Estimate& e) {
  StepTimeline t;
  const int n = e.phases.front().micro_batches;
  t.schedule = make_schedule(s.plan, n);
  const bool overlap = s.plan.overlaps_comm();
  const StageCosts costs =
      price_stages(s, model_stage_count(s.plan), s.training.phases.front().seq_len, overlap);
  const ChainContext chains = chain_context(s, costs);
  t.run = execute_schedule(t.schedule, InstructionTimes(costs, overlap ? &chains : nullptr));
  t.dp_sync = e.breakdown.dp_sync;
  t.optimizer = e.breakdown.optimizer;
  return t;
}

}  // namespace moesim
