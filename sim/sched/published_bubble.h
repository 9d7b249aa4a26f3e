#pragma once
// The bubble the DualPipe README's table gives (shared/reference §8.1), for
// comparing with a simulated schedule: 1F1B (PP-1)(F+B); ZB1P (PP-1)(F+B-2W);
// DualPipe and DualPipeV (PP/2-1)(F&B+B-3W); PP = stages, B = full backward
// (input + weights). Interleaved 1F1B is not in the table: (PP-1)(F+B) in
// chunk costs, with PP the number of ranks.
#include "sim/sched/executor.h"

namespace moesim {

Seconds published_bubble(ScheduleKind kind, int stages_or_ranks, const ChunkCosts& c);

}  // namespace moesim
