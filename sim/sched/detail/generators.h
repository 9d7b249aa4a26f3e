#pragma once
// The generator of each schedule family, behind make_schedule(). Each REQUIRES
// schedule_input_problems() to be empty for its arguments; none appends the
// optimizer step (make_schedule does).

#include "sim/sched/schedule.h"

namespace moesim::detail {

Schedule make_1f1b(int pp, int micro_batches);
Schedule make_zb1p(int pp, int micro_batches);
Schedule make_interleaved_1f1b(int pp, int micro_batches, int virtual_stages);
Schedule make_dualpipe(int pp, int micro_batches);
Schedule make_dualpipev(int pp, int micro_batches);

}  // namespace moesim::detail
