// Determinism and invariants on a random graph from a fixed seed: many GPUs,
// every kind of task, network activities, SM sharing and interference.

#include <gtest/gtest.h>

#include <algorithm>

#include "sim/core/rng.h"
#include "sim/engine/engine.h"
#include "tests/engine/fake_network.h"

namespace moesim {
namespace {

using testing::FixedLinkNetwork;

constexpr int kGpus = 8;

TaskGraph random_graph(uint64_t seed, int tasks) {
  Rng rng(seed);
  TaskGraph g;
  for (int i = 0; i < tasks; ++i) {
    const int gpu = static_cast<int>(rng.below(kGpus));
    const Seconds work = Microseconds(1.0 + 999.0 * rng.uniform());
    std::vector<TaskId> deps;
    const int n_deps = i == 0 ? 0 : static_cast<int>(rng.below(3));
    for (int k = 0; k < n_deps; ++k) deps.push_back(TaskId{static_cast<uint32_t>(rng.below(i))});
    switch (rng.below(3)) {
      case 0:
        g.add(Task::compute("c" + std::to_string(i), gpu, work, deps));
        break;
      case 1: {
        std::vector<NetworkTransfer> flows;
        const int n_flows = static_cast<int>(rng.below(4));
        for (int f = 0; f < n_flows; ++f)
          flows.push_back(
              {gpu, static_cast<int>(rng.below(kGpus)), MB(1.0 + 99.0 * rng.uniform())});
        Task t = Task::communication("m" + std::to_string(i), gpu, work, flows, deps);
        if (rng.below(2) == 0) t.sms = static_cast<int>(rng.below(40));
        g.add(t);
        break;
      }
      default:
        g.add(Task::copy("y" + std::to_string(i), gpu, work, {}, deps));
        break;
    }
  }
  return g;
}

std::vector<GpuConfig> cluster() {
  std::vector<GpuConfig> gpus(kGpus);
  for (int i = 0; i < kGpus; ++i) gpus[i].interference = 0.05 * (i % 3);
  return gpus;
}

EngineRun run_once(const TaskGraph& g) {
  FixedLinkNetwork net(GBPerSecond(50), Microseconds(3));
  return execute(cluster(), g, net);
}

TEST(EngineDeterminismTest, IdenticalInputsGiveIdenticalEventsAndTimesBitForBit) {
  const TaskGraph g = random_graph(20240611, 600);
  const EngineRun a = run_once(g);
  const EngineRun b = run_once(g);
  ASSERT_EQ(a.events.size(), 2 * g.size());
  EXPECT_TRUE(a.events == b.events);  // Seconds compare with ==: exact
  EXPECT_TRUE(a.tasks == b.tasks);
  EXPECT_TRUE(a.streams == b.streams);
  EXPECT_EQ(a.makespan, b.makespan);
  EXPECT_GT(a.makespan, Seconds());
}

TEST(EngineDeterminismTest, RandomGraphHonoursDependenciesAndStreams) {
  const TaskGraph g = random_graph(7, 600);
  const EngineRun run = run_once(g);
  for (size_t i = 0; i < g.size(); ++i) {
    const TaskRecord& r = run.tasks[i];
    const Task& t = g.tasks()[i];
    EXPECT_LE(r.start, r.end);
    for (TaskId d : t.deps) EXPECT_LE(run.tasks[d.value].end, r.start) << "task " << i;
    // A task never ends before its work at full speed has elapsed (up to the
    // rounding of start + work - start).
    EXPECT_GE(seconds(r.end - r.start), seconds(t.work) * (1 - 1e-12)) << "task " << i;
  }
  size_t intervals = 0;
  for (const StreamTimeline& st : run.streams) {
    intervals += st.intervals.size();
    for (size_t k = 1; k < st.intervals.size(); ++k) {
      EXPECT_LE(st.intervals[k - 1].end, st.intervals[k].start);
      EXPECT_LT(st.intervals[k - 1].task, st.intervals[k].task);
    }
  }
  EXPECT_EQ(intervals, g.size());
  Seconds last;
  for (const EngineEvent& e : run.events) {
    EXPECT_GE(e.time, last);  // events are processed in time order
    last = e.time;
  }
  EXPECT_EQ(last, run.makespan);
}

}  // namespace
}  // namespace moesim
