#pragma once
// Unit-cost execution of a Schedule: every instruction of a kind takes the same
// time on every rank, communication is free and instant, and each rank runs its
// list in order, starting an instruction as soon as the rank is free and the
// instruction's inputs exist (dependency rules in schedule.h). The result is the
// step's timeline, makespan, bubbles and memory footprint in stage units: what
// the DualPipe README's comparison table states in closed form.
//
// Bubble. For rank r, bubble(r) = makespan - busy(r): all the time in the step
// (from 0 to the end of the last instruction on any rank) that rank r spends not
// computing, before its first instruction, between instructions and after its
// last. The README table's bubble is the largest, max_bubble(). With per-chunk
// costs F, B (input grad), W, full backward B_full = B + W, and F&B, and S the
// number of stages (shared/reference/published-figures.md §8.1; tests/sched
// assert each of these):
//   1F1B       every rank: (S-1)(F + B_full), exactly, for any costs.
//   ZB1P       every rank: (S-1)(F + B_full - 2W), exactly when W <= F; with
//              W > F the drain cannot hide the deferred W's: (S-1)(B + max(F, W) - W).
//   DualPipe,  the largest, on DualPipe's middle ranks S/2-1 and S/2 and on
//   DualPipeV  DualPipeV's last two ranks: (S/2-1)(F&B + B_full - 3W), exactly
//              when F = B (F = B_full - W, the reference's condition), W <= F and
//              max(F, B_full) <= F&B <= F + B_full; with F != B (other conditions
//              kept) within (S/2-1)|F - B| of it. Ranks nearer the ends idle less.
// Interleaved 1F1B (not in the table): every rank (pp-1)(F + B_full) with
// per-chunk costs, i.e. (pp-1)(F + B_full)/v of a whole stage.
//
// Thread safety: pure functions of their arguments.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/units.h"
#include "sim/sched/schedule.h"

namespace moesim {

// Time of one stage-chunk of each kind of work, the same on every stage.
struct ChunkCosts {
  Seconds forward;          // F
  Seconds backward_input;   // B: input gradient
  Seconds backward_weight;  // W: weight gradient
  // F&B: a forward overlapped with a full backward (B + W) of another micro-batch.
  // Unset: no overlap gain, forward + backward_input + backward_weight.
  std::optional<Seconds> forward_backward;
  Seconds optimizer_step;  // zero unless set

  // Duration of one instruction of kind `op`.
  Seconds duration(InstructionKind op) const;
};

struct TimelineEntry {
  Seconds start;
  Seconds end;
  Instruction instruction;
};

struct RankRun {
  Seconds busy;    // sum of the durations of the instructions it ran
  Seconds bubble;  // makespan - busy
  // Most activations held at once, in stage-chunks (interleaved 1F1B: chunks of
  // 1/v stage): forwards started whose input-grad backward has not finished.
  // Within an F&B the forward's activation is counted before the backward's is freed.
  int peak_activations = 0;
  // Parameters held, in units of one stage of the schedule's S stages
  // (interleaved: v chunks of 1/v count as 1): 1 for 1F1B, ZB1P and interleaved,
  // 2 for DualPipe (two copies) and DualPipeV (two stages).
  int parameter_copies = 0;
  std::vector<TimelineEntry> timeline;  // in execution order
};

// Raised (as data) when no rank can start its next instruction.
struct Deadlock {
  int rank = 0;      // the lowest-numbered stuck rank
  size_t index = 0;  // position of the stuck instruction in that rank's list
  Instruction instruction;
  std::string message;  // "deadlock: rank 0 is stuck at instruction 0, BW(m0,s0), ..."
};

struct ScheduleRun {
  ScheduleKind kind = ScheduleKind::k1F1B;
  int ranks = 0;
  int stages = 0;
  int micro_batches = 0;
  Seconds makespan;  // end of the last instruction on any rank
  std::vector<RankRun> per_rank;
  // Set when execution stopped early; the other fields then describe the part
  // that ran.
  std::optional<Deadlock> deadlock;

  Seconds max_bubble() const;
  bool ok() const { return !deadlock.has_value(); }
};

// REQUIRES: schedule_problems(schedule) is empty (checked; a failure is a bug).
ScheduleRun simulate(const Schedule& schedule, const ChunkCosts& costs);

// The same with a duration per instruction, so that stages may cost different
// amounts (an overlapped pair sees both of its chunks). REQUIRES: durations >= 0.
ScheduleRun simulate(const Schedule& schedule,
                     const std::function<Seconds(const Instruction&)>& duration);

}  // namespace moesim
