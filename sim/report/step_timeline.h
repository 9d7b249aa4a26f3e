#pragma once
// One training step as an executed pipeline schedule: the schedule's
// instruction lists (sim/sched) run with each stage's analytic op and
// communication costs (sim/cost), then the step-boundary DP sync and optimizer.
// This is the timeline the Chrome trace and the GUI draw; its step time
// cross-checks the analytic formula's (they differ where the table's bubble
// formula is approximate or stages are uneven). No network contention yet.
//
// Instruction times: sim/cost/executed_schedule.h.

#include "sim/cost/estimate.h"
#include "sim/sched/executor.h"
#include "sim/sched/schedule.h"

namespace moesim {

struct StepTimeline {
  Schedule schedule;
  ScheduleRun run;
  Seconds dp_sync, optimizer;  // after the last instruction, on every rank
  Seconds step_time() const { return run.makespan + dp_sync + optimizer; }
};

// Uses the first training phase's full-batch micro-batch count.
// REQUIRES: s validated; e = estimate(s).
StepTimeline step_timeline(const Scenario& s, const Estimate& e);

}  // namespace moesim
