// The engine, given a schedule as a task graph without communication, must
// reproduce sched's dependency executor instruction for instruction: the first
// check of the des path against the proven one.
#include "sim/step/schedule_graph.h"

#include <gtest/gtest.h>

#include "sim/sched/executor.h"
#include "sim/sched/generators.h"

namespace moesim {
namespace {

// Uneven durations: stage s costs more the deeper it is, W differs from B.
Seconds uneven(const Instruction& i) {
  const double s = 1.0 + 0.1 * i.chunk.stage;
  switch (i.op) {
    case InstructionKind::kForward: return SecondsOf(1.0 * s);
    case InstructionKind::kBackwardInput: return SecondsOf(1.3 * s);
    case InstructionKind::kBackwardWeight: return SecondsOf(0.7 * s);
    case InstructionKind::kBackwardFull: return SecondsOf(2.0 * s);
    case InstructionKind::kForwardBackward: return SecondsOf(2.6 * s);
    case InstructionKind::kOptimizerStep: return SecondsOf(0.25);
  }
  return Seconds();
}

void expect_same_as_executor(ScheduleKind kind, int pp, int n, int v = 1) {
  const Schedule s = make_schedule(kind, pp, n, v);
  const ScheduleRun ref = simulate(s, uneven);
  ASSERT_TRUE(ref.ok());
  const ScheduleGraph g = schedule_task_graph(s, uneven);
  NoNetwork net;
  const EngineRun run = execute(std::vector<GpuConfig>(static_cast<size_t>(pp)), g.graph, net);
  EXPECT_NEAR(seconds(run.makespan), seconds(ref.makespan), 1e-9 * seconds(ref.makespan))
      << to_string(kind);
  for (int r = 0; r < pp; ++r) {
    const auto& tl = ref.per_rank[static_cast<size_t>(r)].timeline;
    ASSERT_EQ(tl.size(), g.instruction_tasks[static_cast<size_t>(r)].size());
    for (size_t j = 0; j < tl.size(); ++j) {
      const TaskRecord& t = run.tasks[g.instruction_tasks[static_cast<size_t>(r)][j].value];
      EXPECT_NEAR(seconds(t.start), seconds(tl[j].start), 1e-9) << to_string(kind) << " rank " << r;
      EXPECT_NEAR(seconds(t.end), seconds(tl[j].end), 1e-9) << to_string(kind) << " rank " << r;
    }
  }
}

TEST(ScheduleGraph, EngineReproducesTheExecutorFor1F1B) {
  expect_same_as_executor(ScheduleKind::k1F1B, 4, 8);
}
TEST(ScheduleGraph, EngineReproducesTheExecutorForInterleaved) {
  expect_same_as_executor(ScheduleKind::kInterleaved1F1B, 4, 8, 2);
}
TEST(ScheduleGraph, EngineReproducesTheExecutorForZb1p) {
  expect_same_as_executor(ScheduleKind::kZb1p, 8, 16);
}
TEST(ScheduleGraph, EngineReproducesTheExecutorForDualPipe) {
  expect_same_as_executor(ScheduleKind::kDualPipe, 8, 20);
  expect_same_as_executor(ScheduleKind::kDualPipe, 16, 64);
}
TEST(ScheduleGraph, EngineReproducesTheExecutorForDualPipeV) {
  expect_same_as_executor(ScheduleKind::kDualPipeV, 4, 10);
}

}  // namespace
}  // namespace moesim
