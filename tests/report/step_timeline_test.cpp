#include "sim/report/step_timeline.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/report/chrome_trace.h"
#include "sim/scenario/scenario_json.h"
#include "tests/cost/headline_fixture.h"

namespace moesim {
namespace {

TEST(StepTimeline, HeadlineRunsEveryInstructionWithoutDeadlock) {
  const Scenario s = testing::headline();
  const Estimate e = estimate(s);
  const StepTimeline t = step_timeline(s, e);
  ASSERT_TRUE(t.run.ok());
  ASSERT_EQ(t.run.per_rank.size(), 16u);
  // Every rank does its stages' work for all 120 micro-batches (half each way).
  for (const auto& r : t.run.per_rank) EXPECT_GT(r.busy, SecondsOf(0));
  // The executed step cannot beat the busiest rank's own work.
  Seconds busiest;
  for (const auto& r : t.run.per_rank) busiest = max(busiest, r.busy);
  EXPECT_GE(t.run.makespan, busiest);
  // DualPipe's analytic step takes its fill and drain from this executed
  // schedule: the two are one step (the slope over N is the slowest rank's).
  EXPECT_NEAR(seconds(t.step_time()) / seconds(e.step_time), 1.0, 1e-9);
}

TEST(StepTimeline, OneFOneBExecutionIsBoundedByTheFormula) {
  // Without overlap, the formula paces every rank by the slowest stage, an upper
  // bound of the executed schedule; the executed step cannot be faster than the
  // slowest rank's busy time plus its share of the fill.
  Scenario s = testing::headline();
  s.plan.schedule = ScheduleKind::k1F1B;
  const Estimate e = estimate(s);
  const StepTimeline t = step_timeline(s, e);
  ASSERT_TRUE(t.run.ok());
  EXPECT_LE(t.step_time(), e.step_time * 1.0000001);
  EXPECT_GT(t.step_time(), e.step_time * 0.9);
}

TEST(ChromeTrace, OneTrackPerRankAndOneEventPerInstruction) {
  const Scenario s = testing::headline();
  const StepTimeline t = step_timeline(s, estimate(s));
  const auto j = nlohmann::json::parse(chrome_trace_json(t, s.name));
  size_t instructions = 0;
  for (const auto& r : t.run.per_rank)
    for (const auto& x : r.timeline) instructions += x.instruction.op != InstructionKind::kOptimizerStep;
  size_t complete = 0, named_threads = 0;
  std::vector<double> last_end(16, 0.0);
  for (const auto& ev : j["traceEvents"]) {
    if (ev["ph"] == "M" && ev["name"] == "thread_name") ++named_threads;
    if (ev["ph"] != "X") continue;
    ++complete;
    const size_t tid = ev["tid"];
    const double ts = ev["ts"], dur = ev["dur"];
    EXPECT_GE(dur, 0.0);
    EXPECT_GE(ts + 1e-6, last_end[tid]) << ev.dump();  // no overlap on a track
    last_end[tid] = ts + dur;
  }
  EXPECT_EQ(named_threads, 16u);
  EXPECT_EQ(complete, instructions + 2 * 16);  // + DP sync and optimizer per rank
  EXPECT_EQ(chrome_trace_json(t, s.name), chrome_trace_json(t, s.name));
}

}  // namespace
}  // namespace moesim
