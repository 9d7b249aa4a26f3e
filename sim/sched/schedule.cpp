#include "sim/sched/schedule.h"

#include <algorithm>

namespace moesim {

bool Instruction::operator==(const Instruction& o) const {
  return op == o.op && chunk == o.chunk && backward == o.backward && step == o.step;
}

const char* to_string(InstructionKind op) {
  switch (op) {
    case InstructionKind::kForward:
      return "F";
    case InstructionKind::kBackwardInput:
      return "B";
    case InstructionKind::kBackwardWeight:
      return "W";
    case InstructionKind::kBackwardFull:
      return "BW";
    case InstructionKind::kForwardBackward:
      return "F&B";
    case InstructionKind::kOptimizerStep:
      return "OPT";
  }
  return "?";
}

namespace {

std::string chunk_text(Chunk c) {
  return "m" + std::to_string(c.micro_batch) + ",s" + std::to_string(c.stage);
}

// Counts of F, B and W per chunk, indexed micro_batch * stages + stage.
struct WorkCounts {
  std::vector<int> f, b, w;
};

}  // namespace

std::string to_string(const Instruction& i) {
  if (i.op == InstructionKind::kOptimizerStep) return to_string(i.op);
  std::string s = std::string(to_string(i.op)) + "(" + chunk_text(i.chunk);
  if (i.op == InstructionKind::kForwardBackward) s += "|" + chunk_text(i.backward);
  return s + ")";
}

std::vector<std::string> schedule_problems(const Schedule& s) {
  std::vector<std::string> problems;
  auto problem = [&](const std::string& text) { problems.push_back(text); };
  if (s.ranks < 1 || s.stages < 1 || s.micro_batches < 1) {
    problem("ranks, stages and micro_batches must be positive");
    return problems;
  }
  if (static_cast<int>(s.per_rank.size()) != s.ranks ||
      static_cast<int>(s.rank_stages.size()) != s.ranks) {
    problem("per_rank and rank_stages need one entry per rank");
    return problems;
  }
  const size_t cells = static_cast<size_t>(s.micro_batches) * static_cast<size_t>(s.stages);
  WorkCounts n{std::vector<int>(cells), std::vector<int>(cells), std::vector<int>(cells)};
  for (int r = 0; r < s.ranks; ++r) {
    const std::vector<int>& held = s.rank_stages[r];
    const std::vector<Instruction>& list = s.per_rank[r];
    const std::string where = "rank " + std::to_string(r) + ": ";
    auto valid = [&](Chunk c, const Instruction& i) {
      const bool ok = c.micro_batch >= 0 && c.micro_batch < s.micro_batches && c.stage >= 0 &&
                      c.stage < s.stages &&
                      std::find(held.begin(), held.end(), c.stage) != held.end();
      if (!ok)
        problem(where + to_string(i) + " names a chunk out of range or a stage it does not hold");
      return ok;
    };
    auto index = [&](Chunk c) {
      return static_cast<size_t>(c.micro_batch) * static_cast<size_t>(s.stages) +
             static_cast<size_t>(c.stage);
    };
    int optimizer_steps = 0;
    for (size_t k = 0; k < list.size(); ++k) {
      const Instruction& i = list[k];
      if (i.op == InstructionKind::kOptimizerStep) {
        ++optimizer_steps;
        if (k + 1 != list.size()) problem(where + "the optimizer step is not the last instruction");
        continue;
      }
      if (!valid(i.chunk, i)) continue;
      switch (i.op) {
        case InstructionKind::kForward:
          ++n.f[index(i.chunk)];
          break;
        case InstructionKind::kBackwardInput:
          ++n.b[index(i.chunk)];
          break;
        case InstructionKind::kBackwardWeight:
          ++n.w[index(i.chunk)];
          break;
        case InstructionKind::kBackwardFull:
          ++n.b[index(i.chunk)];
          ++n.w[index(i.chunk)];
          break;
        case InstructionKind::kForwardBackward:
          if (!valid(i.backward, i)) break;
          if (i.backward.micro_batch == i.chunk.micro_batch)
            problem(where + to_string(i) + " overlaps a backward that needs its own forward");
          ++n.f[index(i.chunk)];
          ++n.b[index(i.backward)];
          ++n.w[index(i.backward)];
          break;
        case InstructionKind::kOptimizerStep:
          break;
      }
    }
    if (optimizer_steps != 1)
      problem(where + std::to_string(optimizer_steps) + " optimizer steps, expected 1");
  }
  for (int m = 0; m < s.micro_batches; ++m) {
    for (int st = 0; st < s.stages; ++st) {
      const size_t k =
          static_cast<size_t>(m) * static_cast<size_t>(s.stages) + static_cast<size_t>(st);
      if (n.f[k] == 1 && n.b[k] == 1 && n.w[k] == 1) continue;
      const std::string c = "(" + chunk_text({m, st}) + ")";
      if (n.f[k] != 1) problem("F" + c + " runs " + std::to_string(n.f[k]) + " times, expected 1");
      if (n.b[k] != 1) problem("B" + c + " runs " + std::to_string(n.b[k]) + " times, expected 1");
      if (n.w[k] != 1) problem("W" + c + " runs " + std::to_string(n.w[k]) + " times, expected 1");
    }
  }
  return problems;
}

}  // namespace moesim
