#pragma once
// The generator of each schedule family, behind make_schedule(). Each REQUIRES
// schedule_input_problems() to be empty for its arguments; none appends the
// optimizer step (make_schedule does).

#include "sim/sched/schedule.h"

namespace moesim::detail {

// pairs: steady-state F and B fused into F&B (ParallelPlan::ep_a2a_overlap).
Schedule make_1f1b(int pp, int micro_batches, bool pairs);
Schedule make_zb1p(int pp, int micro_batches);
Schedule make_interleaved_1f1b(int pp, int micro_batches, int virtual_stages, bool pairs);
Schedule make_dualpipe(int pp, int micro_batches);
Schedule make_dualpipev(int pp, int micro_batches);

}  // namespace moesim::detail
