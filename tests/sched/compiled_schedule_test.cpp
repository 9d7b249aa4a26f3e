// The compiled schedule runs exactly as the executor does, for any times.
#include "sim/sched/compiled_schedule.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "sim/core/rng.h"
#include "sim/sched/executor.h"
#include "sim/sched/generators.h"

namespace moesim {
namespace {

TEST(CompiledSchedule, MakespanIsTheExecutorsForAnyTimes) {
  struct Shape {
    ScheduleKind kind;
    int pp, n, v;
  };
  for (const Shape& sh : {Shape{ScheduleKind::k1F1B, 4, 8, 1}, Shape{ScheduleKind::kZb1p, 4, 8, 1},
                          Shape{ScheduleKind::kInterleaved1F1B, 4, 8, 2},
                          Shape{ScheduleKind::kDualPipe, 8, 20, 1},
                          Shape{ScheduleKind::kDualPipeV, 4, 10, 1}}) {
    const auto c = CompiledSchedule::compiled(sh.kind, sh.pp, sh.n, sh.v);
    EXPECT_EQ(c, CompiledSchedule::compiled(sh.kind, sh.pp, sh.n, sh.v));  // cached
    for (uint64_t seed : {1u, 2u, 3u}) {
      // A time per key: per kind and stage(s), uneven, as stage costs are.
      Rng rng(seed);
      std::vector<Seconds> times;
      std::map<std::tuple<int, int, int>, Seconds> by_key;
      for (const Instruction& i : c->keys()) {
        times.push_back(i.op == InstructionKind::kOptimizerStep ? Seconds()
                                                                : SecondsOf(0.5 + rng.uniform()));
        by_key[{static_cast<int>(i.op), i.chunk.stage,
                i.op == InstructionKind::kForwardBackward ? i.backward.stage : -1}] = times.back();
      }
      const ScheduleRun run = simulate(make_schedule(sh.kind, sh.pp, sh.n, sh.v), [&](const Instruction& i) {
        return by_key.at({static_cast<int>(i.op), i.chunk.stage,
                          i.op == InstructionKind::kForwardBackward ? i.backward.stage : -1});
      });
      ASSERT_TRUE(run.ok());
      EXPECT_NEAR(seconds(c->makespan(times)), seconds(run.makespan), 1e-12) << to_string(sh.kind);
    }
  }
}

}  // namespace
}  // namespace moesim
