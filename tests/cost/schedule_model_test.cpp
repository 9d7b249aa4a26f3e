// The analytic schedules against the DualPipe README's bubble table
// (shared/reference §8.1) on synthetic, identical stages.
#include "sim/cost/schedule_model.h"

#include <gtest/gtest.h>

namespace moesim {

namespace {
StageCosts uniform(int stages, double f, double b, double w, double comm) {
  StageCosts c;
  for (int i = 0; i < stages; ++i) {
    StageCost s;
    s.total.fwd = SecondsOf(f);
    s.total.bwd_input = SecondsOf(b);
    s.total.bwd_weight = SecondsOf(w);
    s.total.comm_fwd = SecondsOf(comm / 2);
    s.total.comm_bwd = SecondsOf(comm / 2);
    c.stages.push_back(s);
  }
  return c;
}
ParallelPlan plan(ScheduleKind k, int pp) {
  ParallelPlan p;
  p.schedule = k;
  p.pp = pp;
  return p;
}
}  // namespace

TEST(ScheduleModel, OneFOneBBubbleIsPpMinusOneTimesFPlusB) {
  StepModel m = schedule_step(plan(ScheduleKind::k1F1B, 4), uniform(4, 1, 1, 0.5, 0));
  EXPECT_DOUBLE_EQ(seconds(m.per_micro_batch), 2.5);
  EXPECT_DOUBLE_EQ(seconds(m.bubble), 3 * 2.5);
}

TEST(ScheduleModel, Zb1pBubbleSubtractsTwoW) {
  StepModel m = schedule_step(plan(ScheduleKind::kZb1p, 4), uniform(4, 1, 1, 0.5, 0));
  // (PP-1)(F + B - 2W) with B = 1.5 the full backward.
  EXPECT_DOUBLE_EQ(seconds(m.bubble), 3 * (1 + 1.5 - 1.0));
}

TEST(ScheduleModel, DualPipeBubbleHalvesThePipeline) {
  StepModel m = schedule_step(plan(ScheduleKind::kDualPipe, 8), uniform(8, 1, 1, 0.5, 0));
  // Each rank: two stages, N/2 micro-batches each.
  EXPECT_DOUBLE_EQ(seconds(m.per_micro_batch), 2.5);
  // (PP/2-1)(F&B + B - 3W), F&B = F + B_input when nothing is exposed.
  EXPECT_DOUBLE_EQ(seconds(m.bubble), 3 * (2.0 + 1.5 - 1.5));
  EXPECT_EQ(m.rank_stages[0], (std::vector<int>{0, 7}));
}

TEST(ScheduleModel, DualPipeVRunsTwiceTheStagesOnHalfTheRanks) {
  ParallelPlan p = plan(ScheduleKind::kDualPipeV, 4);
  EXPECT_EQ(model_stage_count(p), 8);
  StepModel m = schedule_step(p, uniform(8, 1, 1, 0.5, 0));
  EXPECT_DOUBLE_EQ(seconds(m.per_micro_batch), 5.0);
  EXPECT_DOUBLE_EQ(seconds(m.bubble), 3 * 2.0);
  EXPECT_EQ(m.rank_stages[1], (std::vector<int>{1, 6}));
}

TEST(ScheduleModel, DualPipeHidesCommunicationUpToCompute) {
  StepModel hidden = schedule_step(plan(ScheduleKind::kDualPipe, 4), uniform(4, 1, 1, 0.5, 2.0));
  EXPECT_DOUBLE_EQ(seconds(hidden.exposed_comm_per_mb), 0.0);
  StepModel exposed = schedule_step(plan(ScheduleKind::kDualPipe, 4), uniform(4, 1, 1, 0.5, 3.0));
  EXPECT_DOUBLE_EQ(seconds(exposed.exposed_comm_per_mb), 0.5);
  EXPECT_DOUBLE_EQ(seconds(exposed.per_micro_batch), 3.0);
  // Without overlap the same communication is fully exposed.
  StepModel serial = schedule_step(plan(ScheduleKind::k1F1B, 4), uniform(4, 1, 1, 0.5, 3.0));
  EXPECT_DOUBLE_EQ(seconds(serial.exposed_comm_per_mb), 3.0);
}

TEST(ScheduleModel, SlowestStagePacesSchedulesWithoutOverlap) {
  StageCosts c = uniform(4, 1, 1, 0.5, 0);
  c.stages[2].total.fwd = SecondsOf(2);
  StepModel m = schedule_step(plan(ScheduleKind::k1F1B, 4), c);
  EXPECT_DOUBLE_EQ(seconds(m.per_micro_batch), 3.5);
  EXPECT_EQ(m.slowest_rank, 2);
  EXPECT_DOUBLE_EQ(seconds(m.imbalance_per_mb), 0.0);
}

}  // namespace moesim
