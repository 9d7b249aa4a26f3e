// The DualPipe README's comparison table (shared/reference/published-figures.md
// §8.1) reproduced by running the generated schedules with per-chunk unit
// costs: bubble = makespan - the rank's busy time, the table's figure being the
// largest over ranks (executor.h states where each formula is exact); parameters
// per rank in stages; peak in-flight activations in stage-chunks.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/sched/executor.h"
#include "sim/sched/generators.h"
#include "tests/sched/sched_support.h"

namespace moesim {
namespace {

using test::costs;
using test::table_bubble;

ScheduleRun run(ScheduleKind k, int pp, int n, const ChunkCosts& c, int v = 1) {
  ScheduleRun r = simulate(make_schedule(k, pp, n, v), c);
  EXPECT_TRUE(r.ok()) << r.deadlock->message;
  return r;
}

std::string trace(ScheduleKind k, int pp, int n, const ChunkCosts& c) {
  return std::string(to_string(k)) + " pp " + std::to_string(pp) + " N " + std::to_string(n) +
         " F " + std::to_string(seconds(c.forward)) + " B " +
         std::to_string(seconds(c.backward_input)) + " W " +
         std::to_string(seconds(c.backward_weight)) + " F&B " +
         std::to_string(seconds(c.duration(InstructionKind::kForwardBackward)));
}

TEST(TableBubble, OneFOneBIsPpMinusOneTimesFPlusBOnEveryRank) {
  for (const ChunkCosts& c : {costs(1, 1, 1), costs(1, 2, 1), costs(3, 2, 0.5), costs(2, 1, 3)})
    for (int pp : {2, 4, 8, 16})
      for (int n : {pp, pp + 3, 3 * pp}) {
        SCOPED_TRACE(trace(ScheduleKind::k1F1B, pp, n, c));
        const ScheduleRun r = run(ScheduleKind::k1F1B, pp, n, c);
        for (const RankRun& rr : r.per_rank)
          EXPECT_DOUBLE_EQ(seconds(rr.bubble), table_bubble(ScheduleKind::k1F1B, pp, c));
      }
}

TEST(TableBubble, Zb1pIsPpMinusOneTimesFPlusBMinusTwoWOnEveryRankWhenWAtMostF) {
  for (const ChunkCosts& c :
       {costs(1, 1, 1), costs(1, 2, 1), costs(2, 1, 1), costs(3, 2, 1), costs(2, 2, 0.5)})
    for (int pp : {2, 4, 8, 16})
      for (int n : {pp, pp + 3, 3 * pp}) {
        SCOPED_TRACE(trace(ScheduleKind::kZb1p, pp, n, c));
        const ScheduleRun r = run(ScheduleKind::kZb1p, pp, n, c);
        for (const RankRun& rr : r.per_rank)
          EXPECT_DOUBLE_EQ(seconds(rr.bubble), table_bubble(ScheduleKind::kZb1p, pp, c));
      }
}

TEST(TableBubble, Zb1pKeepsTheExcessOfWOverFWhenTheDrainCannotHideIt) {
  // W > F: (pp-1)(B + max(F, W) - W) = (pp-1) B, above the table's figure.
  for (const ChunkCosts& c : {costs(1, 1, 2), costs(1, 3, 2)})
    for (int pp : {4, 8}) {
      SCOPED_TRACE(trace(ScheduleKind::kZb1p, pp, 2 * pp, c));
      const ScheduleRun r = run(ScheduleKind::kZb1p, pp, 2 * pp, c);
      EXPECT_DOUBLE_EQ(seconds(r.max_bubble()), (pp - 1) * seconds(c.backward_input));
      EXPECT_GT(seconds(r.max_bubble()), table_bubble(ScheduleKind::kZb1p, pp, c));
    }
}

TEST(TableBubble, InterleavedIsPpMinusOneTimesFPlusBInChunks) {
  for (const ChunkCosts& c : {costs(1, 1, 1), costs(1, 2, 1)})
    for (int pp : {2, 4, 8, 16})
      for (int v : {2, 3, 4})
        for (int n : {pp, 2 * pp, 3 * pp}) {
          SCOPED_TRACE(trace(ScheduleKind::kInterleaved1F1B, pp, n, c) + " v " + std::to_string(v));
          const ScheduleRun r = run(ScheduleKind::kInterleaved1F1B, pp, n, c, v);
          for (const RankRun& rr : r.per_rank)
            EXPECT_DOUBLE_EQ(seconds(rr.bubble),
                             table_bubble(ScheduleKind::kInterleaved1F1B, pp, c));
        }
}

// Costs with F = B (input grad), W <= F and max(F, B + W) <= F&B <= F + B + W:
// the reference's condition for exact agreement.
const std::vector<ChunkCosts> kExactDualCosts = {costs(1, 1, 1, 2), costs(2, 2, 1, 3),
                                                 costs(1, 1, 1),    costs(2, 2, 1, 4.5),
                                                 costs(3, 3, 0, 3), costs(4, 4, 2, 6)};

struct Dual {
  ScheduleKind kind;
  int ranks;
  int stages;
  int n;
};

std::vector<Dual> dual_cases() {
  std::vector<Dual> cases;
  for (int pp : {2, 4, 8, 16})
    for (int n : {2 * pp, 2 * pp + 2, 4 * pp})
      cases.push_back({ScheduleKind::kDualPipe, pp, pp, n});
  for (int ranks : {1, 2, 4, 8})  // 2, 4, 8, 16 stages
    for (int n : {2 * ranks, 2 * ranks + 1, 4 * ranks})
      cases.push_back({ScheduleKind::kDualPipeV, ranks, 2 * ranks, n});
  return cases;
}

TEST(TableBubble, DualPipeAndVMatchTheTableExactlyWhenFEqualsBMinusW) {
  for (const ChunkCosts& c : kExactDualCosts)
    for (const Dual& d : dual_cases()) {
      SCOPED_TRACE(trace(d.kind, d.ranks, d.n, c));
      const ScheduleRun r = run(d.kind, d.ranks, d.n, c);
      const double table = table_bubble(d.kind, d.stages, c);
      EXPECT_DOUBLE_EQ(seconds(r.max_bubble()), table);
      // Where the largest bubble sits: DualPipe's middle ranks, DualPipeV's last two.
      const std::vector<int> at = d.kind == ScheduleKind::kDualPipe
                                      ? std::vector<int>{d.ranks / 2 - 1, d.ranks / 2}
                                      : std::vector<int>{std::max(0, d.ranks - 2), d.ranks - 1};
      for (int rank : at) EXPECT_DOUBLE_EQ(seconds(r.per_rank[rank].bubble), table) << rank;
    }
}

TEST(TableBubble, DualPipeAndVAreWithinTheFMinusBGapOtherwise) {
  // F != B: the formula is an approximation; the simulated largest bubble is
  // within (S/2 - 1)|F - B| of it.
  for (const ChunkCosts& c :
       {costs(1, 2, 1, 3), costs(3, 2, 1, 4), costs(2, 1, 1, 3), costs(4, 2, 1, 5), costs(2, 3, 1)})
    for (const Dual& d : dual_cases()) {
      SCOPED_TRACE(trace(d.kind, d.ranks, d.n, c));
      const ScheduleRun r = run(d.kind, d.ranks, d.n, c);
      const double gap =
          (d.stages / 2 - 1) * std::abs(seconds(c.forward) - seconds(c.backward_input));
      EXPECT_NEAR(seconds(r.max_bubble()), table_bubble(d.kind, d.stages, c), gap + 1e-9);
    }
}

TEST(TableBubble, DualPipeBubbleDoesNotGrowWithMicroBatches) {
  const ChunkCosts c = costs(2, 3, 1, 4);
  for (ScheduleKind k : {ScheduleKind::kDualPipe, ScheduleKind::kDualPipeV}) {
    const double base = seconds(run(k, 8, 16, c).max_bubble());
    for (int n : {18, 24, 40, 64})
      EXPECT_DOUBLE_EQ(seconds(run(k, 8, n, c).max_bubble()), base) << n;
  }
}

TEST(TableMemory, ParametersPerRankInStages) {
  const ChunkCosts c = costs(1, 1, 1);
  auto copies = [&](ScheduleKind k, int v = 1) {
    std::vector<int> out;
    for (const RankRun& rr : run(k, 4, 8, c, v).per_rank) out.push_back(rr.parameter_copies);
    return out;
  };
  EXPECT_EQ(copies(ScheduleKind::k1F1B), (std::vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(copies(ScheduleKind::kZb1p), (std::vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(copies(ScheduleKind::kInterleaved1F1B, 2), (std::vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(copies(ScheduleKind::kDualPipe), (std::vector<int>{2, 2, 2, 2}));
  EXPECT_EQ(copies(ScheduleKind::kDualPipeV), (std::vector<int>{2, 2, 2, 2}));
}

TEST(TableMemory, PeakActivationsArePpForOneFOneBAndZb1pAndPpPlusOneForDualPipe) {
  const ChunkCosts c = costs(1, 2, 1, 3);
  for (int pp : {2, 4, 8, 16}) {
    for (ScheduleKind k : {ScheduleKind::k1F1B, ScheduleKind::kZb1p})
      for (int n : {pp, 3 * pp}) {
        const ScheduleRun r = run(k, pp, n, c);
        for (int rank = 0; rank < pp; ++rank)  // rank 0 holds pp, the table's figure
          EXPECT_EQ(r.per_rank[rank].peak_activations, pp - rank) << to_string(k) << " " << rank;
      }
    for (int n : {2 * pp, 4 * pp + 2})
      for (const RankRun& rr : run(ScheduleKind::kDualPipe, pp, n, c).per_rank)
        EXPECT_EQ(rr.peak_activations, pp + 1) << "dualpipe pp " << pp << " N " << n;
    // DualPipeV: pp/2 ranks for pp stages, PP + 1 with PP = stages.
    for (const RankRun& rr : run(ScheduleKind::kDualPipeV, pp / 2, 2 * pp + 1, c).per_rank)
      EXPECT_EQ(rr.peak_activations, pp + 1) << "dualpipev stages " << pp;
  }
}

TEST(TableMemory, InterleavedPeakIsItsWarmUpPlusOneChunk) {
  // Not in the table: Megatron's warm-up 2(pp-r-1) + (v-1)pp forwards, capped at N v.
  const ChunkCosts c = costs(1, 1, 1);
  for (int pp : {2, 4, 8})
    for (int v : {2, 3})
      for (int n : {pp, 2 * pp}) {
        const ScheduleRun r = run(ScheduleKind::kInterleaved1F1B, pp, n, c, v);
        for (int rank = 0; rank < pp; ++rank)
          EXPECT_EQ(r.per_rank[rank].peak_activations,
                    std::min(n * v, 2 * (pp - rank - 1) + (v - 1) * pp + 1))
              << pp << " " << v << " " << n << " " << rank;
      }
}

}  // namespace
}  // namespace moesim
