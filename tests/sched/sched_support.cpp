#include "tests/sched/sched_support.h"

#include <map>
#include <tuple>

namespace moesim::test {

ChunkCosts costs(double f, double b, double w, std::optional<double> fb) {
  ChunkCosts c;
  c.forward = SecondsOf(f);
  c.backward_input = SecondsOf(b);
  c.backward_weight = SecondsOf(w);
  if (fb) c.forward_backward = SecondsOf(*fb);
  return c;
}

std::string describe(const Case& c) {
  return std::string(to_string(c.kind)) + " pp " + std::to_string(c.pp) + " N " +
         std::to_string(c.micro_batches) + " v " + std::to_string(c.virtual_stages);
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (int pp : {2, 4, 8, 16}) {
    for (int n : {pp, pp + 1, 2 * pp, 3 * pp + 1}) {
      cases.push_back({ScheduleKind::k1F1B, pp, n});
      cases.push_back({ScheduleKind::kZb1p, pp, n});
    }
    for (int n : {pp, 2 * pp, 3 * pp})
      for (int v : {2, 3}) cases.push_back({ScheduleKind::kInterleaved1F1B, pp, n, v});
    for (int n : {2 * pp, 2 * pp + 2, 3 * pp, 4 * pp + 2})
      cases.push_back({ScheduleKind::kDualPipe, pp, n});
    for (int n : {2 * pp, 2 * pp + 1, 3 * pp + 1, 4 * pp})
      cases.push_back({ScheduleKind::kDualPipeV, pp, n});
  }
  return cases;
}

namespace {

// (work letter, micro-batch, stage)
using Work = std::tuple<char, int, int>;

std::string work_text(const Work& w) {
  return std::string(1, std::get<0>(w)) + "(m" + std::to_string(std::get<1>(w)) + ",s" +
         std::to_string(std::get<2>(w)) + ")";
}

std::vector<Work> outputs(const Instruction& i) {
  const Chunk c = i.chunk;
  const Chunk b = i.backward;
  switch (i.op) {
    case InstructionKind::kForward:
      return {{'F', c.micro_batch, c.stage}};
    case InstructionKind::kBackwardInput:
      return {{'B', c.micro_batch, c.stage}};
    case InstructionKind::kBackwardWeight:
      return {{'W', c.micro_batch, c.stage}};
    case InstructionKind::kBackwardFull:
      return {{'B', c.micro_batch, c.stage}, {'W', c.micro_batch, c.stage}};
    case InstructionKind::kForwardBackward:
      return {{'F', c.micro_batch, c.stage},
              {'B', b.micro_batch, b.stage},
              {'W', b.micro_batch, b.stage}};
    case InstructionKind::kOptimizerStep:
      return {};
  }
  return {};
}

// The rules as the brief states them: F(m,s) needs F(m,s-1); B(m,s) needs its
// own F and B(m,s+1) (the loss stage only its F); W needs its B.
std::vector<Work> inputs(const Instruction& i, int rank, const Schedule& s) {
  std::vector<Work> in;
  auto fwd = [&](Chunk c) {
    if (c.stage > 0) in.emplace_back('F', c.micro_batch, c.stage - 1);
  };
  auto bwd = [&](Chunk c) {
    in.emplace_back('F', c.micro_batch, c.stage);
    if (c.stage < s.stages - 1) in.emplace_back('B', c.micro_batch, c.stage + 1);
  };
  switch (i.op) {
    case InstructionKind::kForward:
      fwd(i.chunk);
      break;
    case InstructionKind::kBackwardInput:
    case InstructionKind::kBackwardFull:
      bwd(i.chunk);
      break;
    case InstructionKind::kBackwardWeight:
      in.emplace_back('B', i.chunk.micro_batch, i.chunk.stage);
      break;
    case InstructionKind::kForwardBackward:
      fwd(i.chunk);
      bwd(i.backward);
      break;
    case InstructionKind::kOptimizerStep:
      for (int st : s.rank_stages[rank])
        for (int m = 0; m < s.micro_batches; ++m) in.emplace_back('W', m, st);
      break;
  }
  return in;
}

}  // namespace

std::vector<std::string> dependency_violations(const Schedule& s, const ScheduleRun& run) {
  std::vector<std::string> bad;
  std::map<Work, double> end_of;
  for (const RankRun& rr : run.per_rank)
    for (const TimelineEntry& e : rr.timeline)
      for (const Work& w : outputs(e.instruction)) end_of[w] = seconds(e.end);
  for (int r = 0; r < s.ranks; ++r) {
    const std::vector<TimelineEntry>& tl = run.per_rank[r].timeline;
    if (tl.size() != s.per_rank[r].size())
      bad.push_back("rank " + std::to_string(r) + " ran " + std::to_string(tl.size()) + " of " +
                    std::to_string(s.per_rank[r].size()) + " instructions");
    double free_at = 0;
    for (size_t k = 0; k < tl.size(); ++k) {
      const TimelineEntry& e = tl[k];
      const std::string at = "rank " + std::to_string(r) + " " + to_string(e.instruction);
      if (k < s.per_rank[r].size() && e.instruction != s.per_rank[r][k])
        bad.push_back(at + " out of list order");
      if (seconds(e.start) < free_at) bad.push_back(at + " overlaps the previous instruction");
      free_at = seconds(e.end);
      for (const Work& w : inputs(e.instruction, r, s)) {
        const auto it = end_of.find(w);
        if (it == end_of.end())
          bad.push_back(at + " needs " + work_text(w) + ", which never ran");
        else if (it->second > seconds(e.start))
          bad.push_back(at + " starts before " + work_text(w) + " ends");
      }
    }
  }
  return bad;
}

std::vector<std::string> exactly_once_violations(const ScheduleRun& run) {
  std::map<Work, int> count;
  for (const RankRun& rr : run.per_rank)
    for (const TimelineEntry& e : rr.timeline)
      for (const Work& w : outputs(e.instruction)) ++count[w];
  std::vector<std::string> bad;
  for (int m = 0; m < run.micro_batches; ++m)
    for (int st = 0; st < run.stages; ++st)
      for (char k : {'F', 'B', 'W'}) {
        const Work w{k, m, st};
        const int n = count.count(w) ? count.at(w) : 0;
        if (n != 1) bad.push_back(work_text(w) + " ran " + std::to_string(n) + " times");
      }
  return bad;
}

double table_bubble(ScheduleKind kind, int stages, const ChunkCosts& c) {
  const double f = seconds(c.forward);
  const double w = seconds(c.backward_weight);
  const double b_full = seconds(c.backward_input) + w;  // the README's B
  const double fb = seconds(c.duration(InstructionKind::kForwardBackward));
  switch (kind) {
    case ScheduleKind::k1F1B:
    case ScheduleKind::kInterleaved1F1B:
      return (stages - 1) * (f + b_full);
    case ScheduleKind::kZb1p:
      return (stages - 1) * (f + b_full - 2 * w);
    case ScheduleKind::kDualPipe:
    case ScheduleKind::kDualPipeV:
      return (stages / 2 - 1) * (fb + b_full - 3 * w);
  }
  return 0;
}

}  // namespace moesim::test
