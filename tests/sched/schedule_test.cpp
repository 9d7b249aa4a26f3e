// The instruction vocabulary, the structural checks of a schedule, and the
// input checks of make_schedule (diagnostics at "<plan>" with the plan's keys).
#include "sim/sched/schedule.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "sim/sched/generators.h"

namespace moesim {
namespace {

// Succeeds when some diagnostic sits at "<plan>" and `path` and contains `fragment`.
::testing::AssertionResult has(const Diagnostics& d, const std::string& path,
                               const std::string& fragment) {
  for (const Diagnostic& x : d.items())
    if (x.file == "<plan>" && x.path == path && x.message.find(fragment) != std::string::npos)
      return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "no " << path << " diagnostic with \"" << fragment << "\" in:\n"
         << d.to_string();
}

Diagnostics problems(ScheduleKind k, int pp, int n, int v = 1) {
  return schedule_input_problems(k, pp, n, v);
}

TEST(ScheduleInput, AcceptsTheSmallestValidCounts) {
  EXPECT_TRUE(problems(ScheduleKind::k1F1B, 1, 1).empty());
  EXPECT_TRUE(problems(ScheduleKind::k1F1B, 4, 4).empty());
  EXPECT_TRUE(problems(ScheduleKind::kZb1p, 4, 5).empty());
  EXPECT_TRUE(problems(ScheduleKind::kInterleaved1F1B, 4, 8, 2).empty());
  EXPECT_TRUE(problems(ScheduleKind::kDualPipe, 2, 4).empty());
  EXPECT_TRUE(problems(ScheduleKind::kDualPipe, 8, 20).empty());
  EXPECT_TRUE(problems(ScheduleKind::kDualPipeV, 1, 2).empty());
  EXPECT_TRUE(problems(ScheduleKind::kDualPipeV, 4, 9).empty());  // odd N is fine for V
}

TEST(ScheduleInput, RejectsFewerRanksThanOne) {
  EXPECT_TRUE(has(problems(ScheduleKind::k1F1B, 0, 4), "/pp", "at least 1 pipeline rank, found 0"));
  EXPECT_TRUE(has(problems(ScheduleKind::kDualPipeV, -2, 4), "/pp", "found -2"));
}

TEST(ScheduleInput, OneFOneBAndZb1pNeedAtLeastPpMicroBatches) {
  EXPECT_TRUE(has(problems(ScheduleKind::k1F1B, 8, 7), "/micro_batches",
                  "1f1b needs at least pp = 8 micro-batches to fill the pipeline, found 7"));
  EXPECT_TRUE(
      has(problems(ScheduleKind::kZb1p, 4, 3), "/micro_batches", "zb1p needs at least pp = 4"));
}

TEST(ScheduleInput, InterleavedNeedsAMultipleOfPpAndTwoVirtualStages) {
  EXPECT_TRUE(has(problems(ScheduleKind::kInterleaved1F1B, 4, 10, 2), "/micro_batches",
                  "multiple of pp = 4 micro-batches, found 10"));
  EXPECT_TRUE(has(problems(ScheduleKind::kInterleaved1F1B, 4, 8, 1), "/virtual_stages",
                  "at least 2 virtual stages per rank, found 1"));
  EXPECT_TRUE(has(problems(ScheduleKind::k1F1B, 4, 8, 2), "/virtual_stages",
                  "virtual_stages 2 applies to interleaved_1f1b only; 1f1b needs 1"));
}

TEST(ScheduleInput, DualPipeNeedsEvenPpAndEvenMicroBatchesAtLeastTwicePp) {
  const Diagnostics both = problems(ScheduleKind::kDualPipe, 5, 11);
  EXPECT_EQ(both.size(), 2u) << both.to_string();  // every problem, not just the first
  EXPECT_TRUE(has(both, "/schedule", "even number of pipeline ranks"));
  EXPECT_TRUE(has(both, "/schedule", "found pp = 5"));
  EXPECT_TRUE(
      has(both, "/micro_batches", "even number of micro-batches, at least 2 x pp = 10, found 11"));
  EXPECT_TRUE(has(problems(ScheduleKind::kDualPipe, 8, 14), "/micro_batches",
                  "at least 2 x pp = 16, found 14"));
}

TEST(ScheduleInput, DualPipeVNeedsTwicePpMicroBatches) {
  EXPECT_TRUE(has(problems(ScheduleKind::kDualPipeV, 4, 7), "/micro_batches",
                  "dualpipev needs at least 2 x pp = 8 micro-batches, found 7"));
}

TEST(ScheduleInput, MakeScheduleThrowsTheDiagnostics) {
  try {
    make_schedule(ScheduleKind::kDualPipe, 3, 6);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_TRUE(has(e.diagnostics(), "/schedule", "found pp = 3"));
    EXPECT_NE(std::string(e.what()).find("error: <plan>: /schedule: "), std::string::npos)
        << e.what();
  }
}

TEST(ScheduleVocabulary, InstructionsPrintAsOpAndChunk) {
  EXPECT_EQ(to_string(Instruction::forward({3, 1}, 1)), "F(m3,s1)");
  EXPECT_EQ(to_string(Instruction::backward_input({3, 1}, 1)), "B(m3,s1)");
  EXPECT_EQ(to_string(Instruction::backward_weight({3, 1}, 1)), "W(m3,s1)");
  EXPECT_EQ(to_string(Instruction::backward_full({3, 1}, 1)), "BW(m3,s1)");
  EXPECT_EQ(to_string(Instruction::forward_backward({3, 1}, {0, 2}, 4)), "F&B(m3,s1|m0,s2)");
  EXPECT_EQ(to_string(Instruction::optimizer_step()), "OPT");
}

// A valid two-rank 1F1B step with one micro-batch, to break one rule at a time.
Schedule tiny() {
  Schedule s;
  s.kind = ScheduleKind::k1F1B;
  s.ranks = 2;
  s.stages = 2;
  s.micro_batches = 1;
  s.rank_stages = {{0}, {1}};
  s.per_rank = {{Instruction::forward({0, 0}, 1), Instruction::backward_full({0, 0}, 3),
                 Instruction::optimizer_step()},
                {Instruction::forward({0, 1}, 2), Instruction::backward_input({0, 1}, 2),
                 Instruction::backward_weight({0, 1}, 2), Instruction::optimizer_step()}};
  return s;
}

bool mentions(const std::vector<std::string>& problems, const std::string& fragment) {
  for (const std::string& p : problems)
    if (p.find(fragment) != std::string::npos) return true;
  return false;
}

TEST(ScheduleProblems, ValidScheduleHasNone) { EXPECT_TRUE(schedule_problems(tiny()).empty()); }

TEST(ScheduleProblems, FindsMissingAndRepeatedWork) {
  Schedule s = tiny();
  s.per_rank[1].erase(s.per_rank[1].begin() + 2);  // drop W(m0,s1)
  s.per_rank[0].insert(s.per_rank[0].begin(), Instruction::forward({0, 0}, 1));
  const auto p = schedule_problems(s);
  EXPECT_TRUE(mentions(p, "W(m0,s1) runs 0 times, expected 1"));
  EXPECT_TRUE(mentions(p, "F(m0,s0) runs 2 times, expected 1"));
}

TEST(ScheduleProblems, FindsStagesTheRankDoesNotHold) {
  Schedule s = tiny();
  s.per_rank[0][0] = Instruction::forward({0, 1}, 1);
  EXPECT_TRUE(mentions(schedule_problems(s),
                       "rank 0: F(m0,s1) names a chunk out of range or a stage it does not hold"));
  s = tiny();
  s.per_rank[0][0] = Instruction::forward({1, 0}, 1);  // micro-batch 1 of 1
  EXPECT_TRUE(mentions(schedule_problems(s), "out of range"));
}

TEST(ScheduleProblems, FindsMisplacedOptimizerSteps) {
  Schedule s = tiny();
  std::swap(s.per_rank[0][1], s.per_rank[0][2]);
  EXPECT_TRUE(
      mentions(schedule_problems(s), "rank 0: the optimizer step is not the last instruction"));
  s = tiny();
  s.per_rank[1].pop_back();
  EXPECT_TRUE(mentions(schedule_problems(s), "rank 1: 0 optimizer steps, expected 1"));
}

TEST(ScheduleProblems, FindsAnOverlappedPairOfOneMicroBatch) {
  Schedule s = tiny();
  s.rank_stages = {{0, 1}, {0, 1}};
  s.per_rank = {{Instruction::forward({0, 0}, 1), Instruction::optimizer_step()},
                {Instruction::forward_backward({0, 1}, {0, 1}, 4),
                 Instruction::backward_full({0, 0}, 3), Instruction::optimizer_step()}};
  EXPECT_TRUE(mentions(schedule_problems(s), "overlaps a backward that needs its own forward"));
}

}  // namespace
}  // namespace moesim
