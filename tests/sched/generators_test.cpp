// Every generator on pp in {2, 4, 8, 16} and several micro-batch counts: each
// chunk's F, B and W run exactly once, every dependency holds in the executed
// timeline, nothing deadlocks; plus the exact order of small cases.
#include "sim/sched/generators.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "sim/sched/executor.h"
#include "tests/sched/sched_support.h"

namespace moesim {
namespace {

using test::all_cases;
using test::costs;
using test::describe;

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (size_t i = 0; i < lines.size() && i < 10; ++i) s += lines[i] + "\n";
  return s;
}

// A schedule with no structural problem that runs with `c` without deadlock,
// every dependency held and every chunk's F, B and W once.
void expect_runs_each_chunk_once(const Schedule& s, const ChunkCosts& c) {
  EXPECT_TRUE(schedule_problems(s).empty()) << joined(schedule_problems(s));
  const ScheduleRun run = simulate(s, c);
  ASSERT_TRUE(run.ok()) << run.deadlock->message;
  EXPECT_TRUE(test::dependency_violations(s, run).empty())
      << joined(test::dependency_violations(s, run));
  EXPECT_TRUE(test::exactly_once_violations(run).empty())
      << joined(test::exactly_once_violations(run));
}

TEST(Generators, EveryCaseRunsEachChunkOnceInDependencyOrder) {
  // Unequal costs so that a wrong order cannot hide behind ties.
  for (const ChunkCosts& c : {costs(1, 1, 1), costs(2, 3, 1, 4)}) {
    for (const test::Case& k : all_cases()) {
      SCOPED_TRACE(describe(k));
      const Schedule s = make_schedule(k.kind, k.pp, k.micro_batches, k.virtual_stages);
      expect_runs_each_chunk_once(s, c);
    }
  }
}

TEST(Generators, LayoutOfStagesOnRanks) {
  const Schedule one = make_schedule(ScheduleKind::k1F1B, 4, 4);
  EXPECT_EQ(one.stages, 4);
  EXPECT_EQ(one.rank_stages, (std::vector<std::vector<int>>{{0}, {1}, {2}, {3}}));
  const Schedule inter = make_schedule(ScheduleKind::kInterleaved1F1B, 4, 4, 3);
  EXPECT_EQ(inter.stages, 12);
  EXPECT_EQ(inter.virtual_stages, 3);
  EXPECT_EQ(inter.rank_stages[1], (std::vector<int>{1, 5, 9}));
  const Schedule dual = make_schedule(ScheduleKind::kDualPipe, 4, 8);
  EXPECT_EQ(dual.stages, 4);
  EXPECT_EQ(dual.rank_stages, (std::vector<std::vector<int>>{{0, 3}, {1, 2}, {2, 1}, {3, 0}}));
  const Schedule v = make_schedule(ScheduleKind::kDualPipeV, 4, 8);
  EXPECT_EQ(v.ranks, 4);
  EXPECT_EQ(v.stages, 8);
  EXPECT_EQ(v.rank_stages, (std::vector<std::vector<int>>{{0, 7}, {1, 6}, {2, 5}, {3, 4}}));
}

TEST(Generators, DualPipeFeedsHalfTheMicroBatchesFromEachEnd) {
  const Schedule s = make_schedule(ScheduleKind::kDualPipe, 8, 20);
  EXPECT_EQ(s.per_rank[0].front(), Instruction::forward({0, 0}, 1));
  EXPECT_EQ(s.per_rank[7].front(), Instruction::forward({10, 0}, 1));
  // Stage 0 of micro-batches [0, 10) runs on rank 0, of [10, 20) on rank 7.
  for (int r = 0; r < 8; ++r)
    for (const Instruction& i : s.per_rank[r])
      if (i.op == InstructionKind::kForward && i.chunk.stage == 0) {
        EXPECT_EQ(r, i.chunk.micro_batch < 10 ? 0 : 7) << to_string(i);
      }
}

TEST(Generators, DualPipeVFeedsEveryMicroBatchAtRankZeroAndTurnsOnTheLastRank) {
  const Schedule s = make_schedule(ScheduleKind::kDualPipeV, 4, 10);
  for (int r = 0; r < 4; ++r)
    for (const Instruction& i : s.per_rank[r]) {
      if (i.op != InstructionKind::kForward) continue;
      const int expected = i.chunk.stage == 0 || i.chunk.stage == 7   ? 0  // 7: the loss stage
                           : i.chunk.stage == 3 || i.chunk.stage == 4 ? 3
                                                                      : r;
      EXPECT_EQ(r, expected) << to_string(i);
    }
}

std::vector<Instruction> without_optimizer(std::vector<Instruction> list) {
  EXPECT_EQ(list.back().op, InstructionKind::kOptimizerStep);
  list.pop_back();
  return list;
}

TEST(Generators, OneFOneBOrderOnTwoRanks) {
  const Schedule s = make_schedule(ScheduleKind::k1F1B, 2, 3);
  using I = Instruction;
  EXPECT_EQ(without_optimizer(s.per_rank[0]),
            (std::vector<I>{I::forward({0, 0}, 1), I::forward({1, 0}, 2),
                            I::backward_full({0, 0}, 2), I::forward({2, 0}, 2),
                            I::backward_full({1, 0}, 2), I::backward_full({2, 0}, 3)}));
  EXPECT_EQ(without_optimizer(s.per_rank[1]),
            (std::vector<I>{I::forward({0, 1}, 2), I::backward_full({0, 1}, 2),
                            I::forward({1, 1}, 2), I::backward_full({1, 1}, 2),
                            I::forward({2, 1}, 2), I::backward_full({2, 1}, 2)}));
}

TEST(Generators, Zb1pDefersOneWeightGradientPerRankIndex) {
  const Schedule s = make_schedule(ScheduleKind::kZb1p, 2, 2);
  using I = Instruction;
  EXPECT_EQ(without_optimizer(s.per_rank[0]),
            (std::vector<I>{I::forward({0, 0}, 1), I::forward({1, 0}, 2),
                            I::backward_input({0, 0}, 2), I::backward_weight({0, 0}, 2),
                            I::backward_input({1, 0}, 3), I::backward_weight({1, 0}, 3)}));
  EXPECT_EQ(without_optimizer(s.per_rank[1]),
            (std::vector<I>{I::forward({0, 1}, 2), I::backward_input({0, 1}, 2),
                            I::forward({1, 1}, 2), I::backward_input({1, 1}, 2),
                            I::backward_weight({0, 1}, 2), I::backward_weight({1, 1}, 4)}));
}

TEST(Generators, InterleavedWalksChunksInGroupsOfPp) {
  const Schedule s = make_schedule(ScheduleKind::kInterleaved1F1B, 2, 2, 2);
  using I = Instruction;
  // Rank 0 warms up with every forward (2(pp-1) + (v-1)pp = 4 = N v).
  EXPECT_EQ(without_optimizer(s.per_rank[0]),
            (std::vector<I>{I::forward({0, 0}, 1), I::forward({1, 0}, 1), I::forward({0, 2}, 1),
                            I::forward({1, 2}, 1), I::backward_full({0, 2}, 3),
                            I::backward_full({1, 2}, 3), I::backward_full({0, 0}, 3),
                            I::backward_full({1, 0}, 3)}));
  EXPECT_EQ(without_optimizer(s.per_rank[1]),
            (std::vector<I>{I::forward({0, 1}, 1), I::forward({1, 1}, 1), I::forward({0, 3}, 2),
                            I::backward_full({0, 3}, 2), I::forward({1, 3}, 2),
                            I::backward_full({1, 3}, 2), I::backward_full({0, 1}, 3),
                            I::backward_full({1, 1}, 3)}));
}

// EP all-to-all overlap (ParallelPlan::ep_a2a_overlap): the 1F1B family's
// steady state fused into F&B pairs after one more warm-up forward.
TEST(Generators, PairedOneFOneBAndInterleavedRunEachChunkOnceWithoutDeadlock) {
  for (const ChunkCosts& c : {costs(1, 1, 1), costs(2, 3, 1, 4)}) {
    for (const test::Case& k : all_cases()) {
      if (k.kind != ScheduleKind::k1F1B && k.kind != ScheduleKind::kInterleaved1F1B) continue;
      SCOPED_TRACE(describe(k) + " paired");
      const Schedule s = make_schedule(k.kind, k.pp, k.micro_batches, k.virtual_stages, true);
      expect_runs_each_chunk_once(s, c);
      // Every rank pairs all but its warm-up forwards with a backward.
      for (int r = 0; r < k.pp; ++r) {
        const int passes = k.micro_batches * k.virtual_stages;
        const int plain_warm_up = 2 * (k.pp - r - 1) + (k.virtual_stages - 1) * k.pp;
        const int warm_up = std::min(plain_warm_up + 1, passes);
        int pairs = 0;
        for (const Instruction& i : s.per_rank[static_cast<size_t>(r)])
          pairs += i.op == InstructionKind::kForwardBackward;
        EXPECT_EQ(pairs, passes - warm_up) << "rank " << r;
      }
    }
  }
}

TEST(Generators, PairedOneFOneBOrderOnTwoRanks) {
  const Schedule s = make_schedule(ScheduleKind::k1F1B, 2, 4, 1, true);
  using I = Instruction;
  EXPECT_EQ(without_optimizer(s.per_rank[0]),
            (std::vector<I>{I::forward({0, 0}, 1), I::forward({1, 0}, 1), I::forward({2, 0}, 1),
                            I::forward_backward({3, 0}, {0, 0}, 2), I::backward_full({1, 0}, 3),
                            I::backward_full({2, 0}, 3), I::backward_full({3, 0}, 3)}));
  // The last rank's pair is never a chunk's forward with its own backward.
  EXPECT_EQ(without_optimizer(s.per_rank[1]),
            (std::vector<I>{I::forward({0, 1}, 1), I::forward_backward({1, 1}, {0, 1}, 2),
                            I::forward_backward({2, 1}, {1, 1}, 2),
                            I::forward_backward({3, 1}, {2, 1}, 2), I::backward_full({3, 1}, 3)}));
}

TEST(Generators, PairingHidesWhatAPairsOtherHalfCovers) {
  // With unit-cost chunks an F&B costs F + B + W (executor.h: no overlap is
  // modelled there): the paired schedule takes at most one chunk longer
  // (the extra warm-up forward) than the plain one.
  for (int pp : {2, 4}) {
    const ScheduleRun plain = simulate(make_schedule(ScheduleKind::k1F1B, pp, 3 * pp), costs(1, 1, 1));
    const ScheduleRun paired =
        simulate(make_schedule(ScheduleKind::k1F1B, pp, 3 * pp, 1, true), costs(1, 1, 1));
    ASSERT_TRUE(plain.ok() && paired.ok());
    EXPECT_LE(seconds(paired.makespan), seconds(plain.makespan) + 1.0) << pp;
  }
}

TEST(Generators, SingleRankOneFOneBIsForwardThenBackward) {
  const Schedule s = make_schedule(ScheduleKind::k1F1B, 1, 2);
  const ScheduleRun run = simulate(s, costs(1, 2, 1));
  EXPECT_EQ(seconds(run.makespan), 8.0);
  EXPECT_EQ(seconds(run.per_rank[0].bubble), 0.0);
}

}  // namespace
}  // namespace moesim
