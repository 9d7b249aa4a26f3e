#include "sim/sched/executor.h"

#include <algorithm>

#include "sim/core/check.h"

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

enum class Work { kF, kB, kW };

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

struct Need {
  Work work;
  Chunk chunk;
};

std::string need_text(const Need& n) {
  const char* kind = n.work == Work::kF ? "F" : n.work == Work::kB ? "B" : "W";
  return std::string(kind) + "(m" + std::to_string(n.chunk.micro_batch) + ",s" +
         std::to_string(n.chunk.stage) + ")";
}

void forward_needs(Chunk c, std::vector<Need>& out) {
  if (c.stage > 0) out.push_back({Work::kF, {c.micro_batch, c.stage - 1}});
}

void backward_needs(Chunk c, int stages, std::vector<Need>& out) {
  out.push_back({Work::kF, c});
  if (c.stage + 1 < stages) out.push_back({Work::kB, {c.micro_batch, c.stage + 1}});
}

// What `i` on `rank` waits for, and what it completes.
void needs(const Instruction& i, int rank, const Schedule& s, std::vector<Need>& out) {
  out.clear();
  switch (i.op) {
    case InstructionKind::kForward:
      forward_needs(i.chunk, out);
      break;
    case InstructionKind::kBackwardInput:
    case InstructionKind::kBackwardFull:
      backward_needs(i.chunk, s.stages, out);
      break;
    case InstructionKind::kBackwardWeight:
      out.push_back({Work::kB, i.chunk});
      break;
    case InstructionKind::kForwardBackward:
      forward_needs(i.chunk, out);
      backward_needs(i.backward, s.stages, out);
      break;
    case InstructionKind::kOptimizerStep:
      for (int stage : s.rank_stages[rank])
        for (int m = 0; m < s.micro_batches; ++m) out.push_back({Work::kW, {m, stage}});
      break;
  }
}

void completes(const Instruction& i, std::vector<Need>& out) {
  out.clear();
  switch (i.op) {
    case InstructionKind::kForward:
      out.push_back({Work::kF, i.chunk});
      break;
    case InstructionKind::kBackwardInput:
      out.push_back({Work::kB, i.chunk});
      break;
    case InstructionKind::kBackwardWeight:
      out.push_back({Work::kW, i.chunk});
      break;
    case InstructionKind::kBackwardFull:
      out.push_back({Work::kB, i.chunk});
      out.push_back({Work::kW, i.chunk});
      break;
    case InstructionKind::kForwardBackward:
      out.push_back({Work::kF, i.chunk});
      out.push_back({Work::kB, i.backward});
      out.push_back({Work::kW, i.backward});
      break;
    case InstructionKind::kOptimizerStep:
      break;
  }
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
        needs(i, r, s, wanted);
        Seconds start = free_at[r];
        const bool ready = std::all_of(wanted.begin(), wanted.end(), [&](const Need& n) {
          const std::optional<Seconds>& t = done.at(n.work, n.chunk);
          if (t) start = max(start, *t);
          return t.has_value();
        });
        if (!ready) break;
        const Seconds end = start + duration(i);
        completes(i, produced);
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
    needs(i, r, s, wanted);
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
