// DualPipe's 8-step structure (shared/reference/published-figures.md §8.2),
// read back from the generated instruction lists: the per-rank step counts
// table for PP = 8, N = 20, the shape of each step, the middle ranks' first
// main iteration, the step-6 zero-bubble switch and FIFO weight gradients.
#include <gtest/gtest.h>

#include <array>

#include "sim/sched/generators.h"

namespace moesim {
namespace {

// One letter per instruction: F forward, B input-grad backward, W weight grad,
// D full backward, X overlapped F&B.
char code(InstructionKind op) {
  switch (op) {
    case InstructionKind::kForward:
      return 'F';
    case InstructionKind::kBackwardInput:
      return 'B';
    case InstructionKind::kBackwardWeight:
      return 'W';
    case InstructionKind::kBackwardFull:
      return 'D';
    case InstructionKind::kForwardBackward:
      return 'X';
    case InstructionKind::kOptimizerStep:
      return 'O';
  }
  return '?';
}

// The letters of each step 1..8 of one rank (index 0 unused).
std::array<std::string, 9> steps_of(const std::vector<Instruction>& list) {
  std::array<std::string, 9> steps;
  for (const Instruction& i : list)
    if (i.op != InstructionKind::kOptimizerStep)
      steps.at(static_cast<size_t>(i.step)) += code(i.op);
  return steps;
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// Iterations of each step, counted from the letters by the ops each iteration
// runs (§8.2 table): forwards for steps 1, 2 and 4; instructions otherwise.
std::array<int, 8> step_counts(const std::vector<Instruction>& list) {
  const auto s = steps_of(list);
  auto forwards = [](const std::string& t) {
    int n = 0;
    for (char c : t) n += (c == 'F' || c == 'X');
    return n;
  };
  auto size = [](const std::string& t) { return static_cast<int>(t.size()); };
  return {forwards(s[1]), forwards(s[2]) / 2, size(s[3]) / 3, forwards(s[4]) / 2,
          size(s[5]) / 2, size(s[6]) / 2,     size(s[7]) / 2, size(s[8])};
}

// §8.2: "Step counts for the README example, PP=8 and N=20".
const std::array<std::array<int, 8>, 4> kTable = {{{6, 1, 3, 3, 3, 1, 3, 1},
                                                   {4, 2, 2, 4, 2, 2, 2, 2},
                                                   {2, 3, 1, 5, 1, 3, 1, 3},
                                                   {0, 4, 0, 6, 0, 4, 0, 4}}};

TEST(DualPipeSteps, ReproducesTheStepCountTableForEightRanksAndTwentyMicroBatches) {
  const Schedule s = make_schedule(ScheduleKind::kDualPipe, 8, 20);
  for (int r = 0; r < 8; ++r) {
    SCOPED_TRACE("rank " + std::to_string(r));
    EXPECT_EQ(step_counts(s.per_rank[r]), kTable[std::min(r, 7 - r)]);
  }
}

TEST(DualPipeSteps, DualPipeVOnFourRanksAndTenMicroBatchesHasTheSameRows) {
  const Schedule s = make_schedule(ScheduleKind::kDualPipeV, 4, 10);
  for (int r = 0; r < 4; ++r) {
    SCOPED_TRACE("rank " + std::to_string(r));
    EXPECT_EQ(step_counts(s.per_rank[r]), kTable[r]);
  }
}

// The letters of every step for half-rank h of H with n4 main iterations.
std::array<std::string, 9> expected_steps(int h, int half_ranks, int n4, bool middle) {
  const int edge = half_ranks - h - 1;
  std::array<std::string, 9> e;
  e[1] = repeat("F", 2 * edge);
  e[2] = repeat("FF", h + 1);
  e[3] = repeat("BWF", edge);  // zero bubble: B, then a deferred W, then F(1)
  e[4] = middle ? "FDX" + repeat("XX", n4 - 1) : repeat("XX", n4);
  e[5] = repeat("DX", edge);
  e[6] = repeat("D", h + 1) + repeat("B", h + 1);  // the second half defers W
  e[7] = repeat("WB", edge);
  e[8] = repeat("W", h + 1);
  return e;
}

TEST(DualPipeSteps, EveryStepHasItsShapeOnEveryRank) {
  for (int pp : {2, 4, 8, 16})
    for (int n : {2 * pp, 2 * pp + 6}) {
      const Schedule s = make_schedule(ScheduleKind::kDualPipe, pp, n);
      for (int r = 0; r < pp; ++r) {
        SCOPED_TRACE("dualpipe pp " + std::to_string(pp) + " N " + std::to_string(n) + " rank " +
                     std::to_string(r));
        const int h = std::min(r, pp - 1 - r);
        const bool middle = r == pp / 2 - 1 || r == pp / 2;
        EXPECT_EQ(steps_of(s.per_rank[r]), expected_steps(h, pp / 2, n / 2 - pp + h + 1, middle));
      }
    }
  for (int ranks : {1, 2, 4, 8, 16})
    for (int n : {2 * ranks, 2 * ranks + 3}) {
      const Schedule s = make_schedule(ScheduleKind::kDualPipeV, ranks, n);
      for (int r = 0; r < ranks; ++r) {
        SCOPED_TRACE("dualpipev ranks " + std::to_string(ranks) + " N " + std::to_string(n) +
                     " rank " + std::to_string(r));
        EXPECT_EQ(steps_of(s.per_rank[r]),
                  expected_steps(r, ranks, n - 2 * ranks + r + 1, r == ranks - 1));
      }
    }
}

TEST(DualPipeSteps, DeferredWeightGradientsRunFirstInFirstOut) {
  for (ScheduleKind k : {ScheduleKind::kDualPipe, ScheduleKind::kDualPipeV}) {
    const Schedule s = make_schedule(k, 8, 20);
    for (int r = 0; r < 8; ++r) {
      std::vector<Chunk> deferred, weights;
      for (const Instruction& i : s.per_rank[r]) {
        if (i.op == InstructionKind::kBackwardInput) deferred.push_back(i.chunk);
        if (i.op == InstructionKind::kBackwardWeight) weights.push_back(i.chunk);
      }
      EXPECT_EQ(weights, deferred) << to_string(k) << " rank " << r;
      // §8.2: PP-h-1 deferred in all on DualPipe.
      if (k == ScheduleKind::kDualPipe) {
        EXPECT_EQ(static_cast<int>(deferred.size()), 8 - std::min(r, 7 - r) - 1) << "rank " << r;
      }
    }
  }
}

std::vector<Instruction> without_optimizer(std::vector<Instruction> list) {
  list.pop_back();
  return list;
}

// Worked by hand from §8.2 for PP = 4, N = 8: rank 0 (h = 0, phase 0 = stage 0
// of micro-batches 0..3, phase 1 = stage 3 of 4..7) and middle rank 1 (h = 1,
// phase 0 = stage 1 of 0..3, phase 1 = stage 2 of 4..7).
TEST(DualPipeSteps, ExactOrderOnFourRanks) {
  using I = Instruction;
  const Schedule s = make_schedule(ScheduleKind::kDualPipe, 4, 8);
  std::vector<I> rank0;
  // 1 nF0 (2 iterations), 2 nF0F1 (1)
  rank0 = {I::forward({0, 0}, 1), I::forward({1, 0}, 1), I::forward({2, 0}, 2),
           I::forward({4, 3}, 2)};
  // 3 nB1W1F1 (1): zero bubble B, its W at once, F(1)
  for (I i : {I::backward_input({4, 3}, 3), I::backward_weight({4, 3}, 3), I::forward({5, 3}, 3)})
    rank0.push_back(i);
  // 4 main (1): F&B(0,1), F&B(1,0)
  rank0.push_back(I::forward_backward({3, 0}, {5, 3}, 4));
  rank0.push_back(I::forward_backward({6, 3}, {0, 0}, 4));
  // 5 nB1F1B0 (1)
  rank0.push_back(I::backward_full({6, 3}, 5));
  rank0.push_back(I::forward_backward({7, 3}, {1, 0}, 5));
  // 6 nB1B0 (1): h even, zero bubble switched on after B(1)
  rank0.push_back(I::backward_full({7, 3}, 6));
  rank0.push_back(I::backward_input({2, 0}, 6));
  // 7 nWB0 (1), 8 nW (1)
  for (I i :
       {I::backward_weight({2, 0}, 7), I::backward_input({3, 0}, 7), I::backward_weight({3, 0}, 8)})
    rank0.push_back(i);
  EXPECT_EQ(without_optimizer(s.per_rank[0]), rank0);

  std::vector<I> rank1;
  // 2 nF0F1 (2 iterations); steps 1, 3, 5 and 7 are empty on a middle rank
  rank1 = {I::forward({0, 1}, 2), I::forward({4, 2}, 2), I::forward({1, 1}, 2),
           I::forward({5, 2}, 2)};
  // 4 main (2): the first F(0) and B(1) are not overlapped
  for (I i :
       {I::forward({2, 1}, 4), I::backward_full({4, 2}, 4), I::forward_backward({6, 2}, {0, 1}, 4),
        I::forward_backward({3, 1}, {5, 2}, 4), I::forward_backward({7, 2}, {1, 1}, 4)})
    rank1.push_back(i);
  // 6 nB1B0 (2): h odd, zero bubble switched on before B(1) of iteration 1
  for (I i : {I::backward_full({6, 2}, 6), I::backward_full({2, 1}, 6),
              I::backward_input({7, 2}, 6), I::backward_input({3, 1}, 6)})
    rank1.push_back(i);
  // 8 nW (2)
  rank1.push_back(I::backward_weight({7, 2}, 8));
  rank1.push_back(I::backward_weight({3, 1}, 8));
  EXPECT_EQ(without_optimizer(s.per_rank[1]), rank1);
}

}  // namespace
}  // namespace moesim
