#pragma once
// Schedule generators: the per-rank instruction order of each pipeline schedule
// (ScheduleKind) for `pp_ranks` ranks and `micro_batches` micro-batches per step.
//
//   1F1B (PipeDream-flush): rank r runs pp-r-1 warm-up forwards, then alternates
//       F and full backward, then drains the remaining backwards.
//   Interleaved 1F1B (Megatron-LM's virtual pipeline): v model chunks per rank,
//       rank r holds stages r, r+pp, ..., r+(v-1)pp; micro-batches advance in
//       groups of pp; 2(pp-r-1) + (v-1)pp warm-up forwards (capped at N v).
//   ZB1P (zero-bubble ZB-H1, Qi et al. 2023): the 1F1B order with B split into
//       input-grad B and weight-grad W; rank r defers r W's, so each W lags its B
//       by r positions, the backward chain to rank 0 is not held up by W, and the
//       deferred W's fill the drain. Same in-flight activations as 1F1B.
//   DualPipe (deepseek-ai/DualPipe dualpipe.py, shared/reference §8.2): two model
//       copies, N/2 micro-batches enter at each end; the 8 steps per rank with the
//       middle ranks' non-overlapped first step-4 iteration and the step-6
//       zero-bubble switch. Micro-batches [0, N/2) enter at rank 0, [N/2, N) at
//       rank pp-1.
//   DualPipeV (dualpipev.py): pp ranks, 2 pp stages, rank r holds stages r and
//       2 pp-1-r; all N enter at rank 0; the same 8 steps with h = r, H = pp.
//
// Every rank's list ends with one optimizer step. The step numbers stored in
// Instruction::step are documented there.

#include "sim/core/diagnostics.h"
#include "sim/sched/schedule.h"

namespace moesim {

// Every reason `make_schedule` would refuse its arguments (the can_implement
// check), as diagnostics in file "<plan>" with paths named after the plan's keys:
// "/pp" (pp_ranks < 1), "/schedule" (odd pp for DualPipe), "/micro_batches"
// (too few, or not a multiple the schedule needs), "/virtual_stages" (v < 2 for
// interleaved 1F1B, v != 1 for any other schedule). Empty when valid.
// Rules: 1F1B, ZB1P N >= pp; interleaved N % pp == 0 and v >= 2; DualPipe pp and
// N even and N >= 2 pp; DualPipeV N >= 2 pp (pp = ranks; any N parity).
Diagnostics schedule_input_problems(ScheduleKind kind, int pp_ranks, int micro_batches,
                                    int virtual_stages = 1);

// The schedule for `pp_ranks` ranks. Throws InputError carrying
// schedule_input_problems() when that is not empty.
// Postcondition: schedule_problems(result) is empty.
// `pairs` (1F1B and interleaved 1F1B only; ignored by the others, which
// pair or split by their own rules): each steady-state forward and backward
// fused into one F&B instruction after one more warm-up forward per rank
// (Megatron-Core's EP all-to-all overlap, ParallelPlan::ep_a2a_overlap).
Schedule make_schedule(ScheduleKind kind, int pp_ranks, int micro_batches, int virtual_stages = 1,
                       bool pairs = false);
// The schedule a plan runs with `micro_batches` per DP rank.
Schedule make_schedule(const ParallelPlan& plan, int micro_batches);

}  // namespace moesim
