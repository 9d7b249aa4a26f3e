#include "sim/sched/executor.h"

#include <algorithm>

#include "sim/core/check.h"
#include "sim/sched/dependencies.h"

namespace moesim {

Seconds ChunkCosts::duration(InstructionKind op) const {
  switch (op) {
    case InstructionKind::kForward:
      return forward;
    case InstructionKind::kBackwardInput:
      return backward_input;
    case InstructionKind::kBackwardWeight:
      return backward_weight;
    case InstructionKind::kBackwardFull:
      return backward_input + backward_weight;
    case InstructionKind::kForwardBackward:
      return forward_backward ? *forward_backward : forward + backward_input + backward_weight;
    case InstructionKind::kOptimizerStep:
      return optimizer_step;
  }
  return Seconds();
}

Seconds ScheduleRun::max_bubble() const {
  Seconds worst;
  for (const RankRun& r : per_rank) worst = max(worst, r.bubble);
  return worst;
}

namespace {

using Work = WorkPiece;
using Need = WorkRef;

// When each piece of work (F, B or W of a chunk) finished; unset until it has.
class DoneTable {
 public:
  explicit DoneTable(const Schedule& s)
      : stages_(s.stages), at_(3 * static_cast<size_t>(s.micro_batches * s.stages)) {}
  std::optional<Seconds>& at(Work w, Chunk c) {
    const size_t cell = static_cast<size_t>(c.micro_batch * stages_ + c.stage);
    return at_[static_cast<size_t>(w) * (at_.size() / 3) + cell];
  }

 private:
  int stages_;
  std::vector<std::optional<Seconds>> at_;
};

std::string need_text(const Need& n) {
  const char* kind = n.work == Work::kForward         ? "F"
                     : n.work == Work::kBackwardInput ? "B"
                                                      : "W";
  return std::string(kind) + "(m" + std::to_string(n.chunk.micro_batch) + ",s" +
         std::to_string(n.chunk.stage) + ")";
}

// Activations held at once on one rank, walking its list in order.
int peak_activations(const std::vector<Instruction>& list) {
  int live = 0;
  int peak = 0;
  for (const Instruction& i : list) {
    if (i.op == InstructionKind::kForward || i.op == InstructionKind::kForwardBackward)
      peak = std::max(peak, ++live);
    if (i.op == InstructionKind::kBackwardInput || i.op == InstructionKind::kBackwardFull ||
        i.op == InstructionKind::kForwardBackward)
      --live;
  }
  return peak;
}

}  // namespace

ScheduleRun simulate(const Schedule& s, const ChunkCosts& costs) {
  return simulate(s, [&costs](const Instruction& i) { return costs.duration(i.op); });
}

ScheduleRun simulate(const Schedule& s,
                     const std::function<Seconds(const Instruction&)>& duration) {
  const std::vector<std::string> problems = schedule_problems(s);
  MOESIM_CHECK(problems.empty(), "simulate() of a malformed schedule: " + problems.front());
  ScheduleRun run;
  run.kind = s.kind;
  run.ranks = s.ranks;
  run.stages = s.stages;
  run.micro_batches = s.micro_batches;
  run.per_rank.resize(s.ranks);

  DoneTable done(s);
  std::vector<size_t> next(s.ranks, 0);
  std::vector<Seconds> free_at(s.ranks);
  std::vector<Need> wanted, produced;
  // Each rank's next instruction's inputs, found once per instruction (a
  // blocked one is retried every sweep).
  std::vector<std::vector<Need>> inputs(static_cast<size_t>(s.ranks));
  std::vector<size_t> inputs_of(static_cast<size_t>(s.ranks), static_cast<size_t>(-1));
  for (int r = 0; r < s.ranks; ++r) run.per_rank[r].timeline.reserve(s.per_rank[r].size());
  // Sweep the ranks until none can start its next instruction. Each start time is
  // final when taken (every input has already finished), so sweep order does not
  // change the result.
  for (bool progressed = true; progressed;) {
    progressed = false;
    for (int r = 0; r < s.ranks; ++r) {
      const std::vector<Instruction>& list = s.per_rank[r];
      RankRun& rr = run.per_rank[r];
      while (next[r] < list.size()) {
        const Instruction& i = list[next[r]];
        if (inputs_of[r] != next[r]) {
          instruction_inputs(i, r, s, inputs[r]);
          inputs_of[r] = next[r];
        }
        const std::vector<Need>& needs = inputs[r];
        Seconds start = free_at[r];
        const bool ready = std::all_of(needs.begin(), needs.end(), [&](const Need& n) {
          const std::optional<Seconds>& t = done.at(n.work, n.chunk);
          if (t) start = max(start, *t);
          return t.has_value();
        });
        if (!ready) break;
        const Seconds end = start + duration(i);
        instruction_outputs(i, produced);
        for (const Need& n : produced) done.at(n.work, n.chunk) = end;
        rr.timeline.push_back({start, end, i});
        rr.busy += end - start;
        run.makespan = max(run.makespan, end);
        free_at[r] = end;
        ++next[r];
        progressed = true;
      }
    }
  }

  for (int r = 0; r < s.ranks && !run.deadlock; ++r) {
    if (next[r] == s.per_rank[r].size()) continue;
    const Instruction& i = s.per_rank[r][next[r]];
    instruction_inputs(i, r, s, wanted);
    std::string missing;
    for (const Need& n : wanted)
      if (!done.at(n.work, n.chunk)) missing += (missing.empty() ? "" : ", ") + need_text(n);
    run.deadlock = Deadlock{r, next[r], i,
                            "deadlock: rank " + std::to_string(r) + " is stuck at instruction " +
                                std::to_string(next[r]) + ", " + to_string(i) +
                                ", which waits for " + missing + " (no rank can progress)"};
  }
  for (int r = 0; r < s.ranks; ++r) {
    RankRun& rr = run.per_rank[r];
    rr.bubble = run.makespan - rr.busy;
    rr.peak_activations = peak_activations(s.per_rank[r]);
    rr.parameter_copies = static_cast<int>(s.rank_stages[r].size()) / std::max(1, s.virtual_stages);
  }
  return run;
}

}  // namespace moesim
