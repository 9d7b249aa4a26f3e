// The unit-cost executor on hand-checked cases: exact timelines, the F&B and
// optimizer costs, the optimizer waiting for a stage's other copy, activation
// counting, deadlock reports and malformed schedules.
#include "sim/sched/executor.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "sim/sched/generators.h"
#include "tests/sched/sched_support.h"

namespace moesim {
namespace {

using I = Instruction;
using test::costs;

struct Span {
  double start, end;
  bool operator==(const Span& o) const { return start == o.start && end == o.end; }
};
std::ostream& operator<<(std::ostream& os, const Span& s) {
  return os << "[" << s.start << ", " << s.end << ")";
}

std::vector<Span> spans(const RankRun& r) {
  std::vector<Span> out;
  for (const TimelineEntry& e : r.timeline) out.push_back({seconds(e.start), seconds(e.end)});
  return out;
}

TEST(Executor, OneFOneBOnTwoRanksByHand) {
  // F = 1, full backward = B + W = 2. Rank 1 starts when F(m0) leaves rank 0;
  // rank 0's backwards wait for rank 1's.
  const ScheduleRun r = simulate(make_schedule(ScheduleKind::k1F1B, 2, 2), costs(1, 1, 1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(spans(r.per_rank[0]),
            (std::vector<Span>{{0, 1}, {1, 2}, {4, 6}, {7, 9}, {9, 9}}));  // F0 F1 BW0 BW1 OPT
  EXPECT_EQ(spans(r.per_rank[1]),
            (std::vector<Span>{{1, 2}, {2, 4}, {4, 5}, {5, 7}, {7, 7}}));  // F0 BW0 F1 BW1 OPT
  EXPECT_EQ(seconds(r.makespan), 9);
  EXPECT_EQ(seconds(r.per_rank[0].busy), 6);
  EXPECT_EQ(seconds(r.per_rank[0].bubble), 3);
  EXPECT_EQ(seconds(r.per_rank[1].bubble), 3);
  EXPECT_EQ(seconds(r.max_bubble()), 3);
  EXPECT_EQ(r.kind, ScheduleKind::k1F1B);
  EXPECT_EQ(r.ranks, 2);
  EXPECT_EQ(r.stages, 2);
  EXPECT_EQ(r.micro_batches, 2);
}

TEST(Executor, ForwardBackwardDefaultsToTheSerialSum) {
  ChunkCosts c = costs(1, 2, 3);
  EXPECT_EQ(seconds(c.duration(InstructionKind::kForwardBackward)), 6);
  EXPECT_EQ(seconds(c.duration(InstructionKind::kBackwardFull)), 5);
  EXPECT_EQ(seconds(c.duration(InstructionKind::kOptimizerStep)), 0);
  c.forward_backward = SecondsOf(4);
  c.optimizer_step = SecondsOf(0.5);
  EXPECT_EQ(seconds(c.duration(InstructionKind::kForwardBackward)), 4);
  EXPECT_EQ(seconds(c.duration(InstructionKind::kOptimizerStep)), 0.5);
}

// One stage, two copies (as DualPipe's): rank 0 trains micro-batch 0, rank 1
// micro-batches 1 and 2. Each optimizer step needs every W of stage 0.
Schedule two_copies() {
  Schedule s;
  s.kind = ScheduleKind::kDualPipe;
  s.ranks = 2;
  s.stages = 1;
  s.micro_batches = 3;
  s.rank_stages = {{0}, {0}};
  s.per_rank = {{I::forward({0, 0}, 1), I::backward_full({0, 0}, 6), I::optimizer_step()},
                {I::forward({1, 0}, 1), I::forward({2, 0}, 1), I::backward_input({1, 0}, 6),
                 I::backward_input({2, 0}, 6), I::backward_weight({1, 0}, 8),
                 I::backward_weight({2, 0}, 8), I::optimizer_step()}};
  return s;
}

TEST(Executor, OptimizerStepWaitsForTheOtherCopyOfItsStages) {
  ChunkCosts c = costs(1, 1, 1);
  c.optimizer_step = SecondsOf(2);
  const ScheduleRun r = simulate(two_copies(), c);
  ASSERT_TRUE(r.ok());
  const TimelineEntry& opt0 = r.per_rank[0].timeline.back();
  EXPECT_EQ(opt0.instruction.op, InstructionKind::kOptimizerStep);
  EXPECT_EQ(seconds(opt0.start), 6);  // rank 1's last W ends at 6; rank 0 was done at 3
  EXPECT_EQ(seconds(opt0.end), 8);
  EXPECT_EQ(seconds(r.makespan), 8);
  EXPECT_EQ(seconds(r.per_rank[0].busy), 5);
  EXPECT_EQ(seconds(r.per_rank[0].bubble), 3);
  EXPECT_EQ(seconds(r.per_rank[1].bubble), 0);
}

TEST(Executor, ActivationsCountForwardsUntilTheirInputGradBackward) {
  const ScheduleRun r = simulate(two_copies(), costs(1, 1, 1));
  EXPECT_EQ(r.per_rank[0].peak_activations, 1);
  EXPECT_EQ(r.per_rank[1].peak_activations, 2);  // W does not hold them
  EXPECT_EQ(r.per_rank[0].parameter_copies, 1);
}

TEST(Executor, ReportsADeadlockWithRankAndInstruction) {
  // Rank 0 puts the backward of micro-batch 0 before its forward.
  Schedule s;
  s.ranks = 2;
  s.stages = 2;
  s.micro_batches = 1;
  s.rank_stages = {{0}, {1}};
  s.per_rank = {{I::backward_full({0, 0}, 2), I::forward({0, 0}, 2), I::optimizer_step()},
                {I::forward({0, 1}, 2), I::backward_full({0, 1}, 2), I::optimizer_step()}};
  const ScheduleRun r = simulate(s, costs(1, 1, 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.deadlock->rank, 0);
  EXPECT_EQ(r.deadlock->index, 0u);
  EXPECT_EQ(r.deadlock->instruction, s.per_rank[0][0]);
  EXPECT_EQ(r.deadlock->message,
            "deadlock: rank 0 is stuck at instruction 0, BW(m0,s0), which waits for F(m0,s0), "
            "B(m0,s1) (no rank can progress)");
  EXPECT_TRUE(r.per_rank[0].timeline.empty());
  EXPECT_TRUE(r.per_rank[1].timeline.empty());
}

TEST(Executor, RefusesAMalformedScheduleAsABug) {
  Schedule s = two_copies();
  s.per_rank[1].erase(s.per_rank[1].begin() + 4);  // W(m1,s0) never runs
  EXPECT_THROW(simulate(s, costs(1, 1, 1)), std::logic_error);
}

}  // namespace
}  // namespace moesim
