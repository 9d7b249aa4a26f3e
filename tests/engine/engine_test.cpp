// The engine's contract (sim/engine/engine.h) on small graphs whose times are
// worked out by hand.

#include "sim/engine/engine.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "tests/engine/fake_network.h"

namespace moesim {
namespace {

using testing::FixedLinkNetwork;

// H800-like defaults: 132 SMs, 20 to communication.
std::vector<GpuConfig> gpus(int n, double interference = 0.0) {
  GpuConfig c;
  c.interference = interference;
  return std::vector<GpuConfig>(n, c);
}

FixedLinkNetwork network() { return FixedLinkNetwork(GBPerSecond(100), Microseconds(5)); }

double ms(Seconds s) { return seconds(s) * 1e3; }

TEST(EngineTest, EmptyGraphHasZeroMakespan) {
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(1), TaskGraph(), net);
  EXPECT_EQ(run.makespan, Seconds());
  EXPECT_TRUE(run.tasks.empty());
  EXPECT_TRUE(run.streams.empty());
}

TEST(EngineTest, DependenciesHonoured) {
  TaskGraph g;
  TaskId a = g.add(Task::compute("a", 0, Milliseconds(2)));
  TaskId b = g.add(Task::compute("b", 1, Milliseconds(3), {a}));
  TaskId c = g.add(Task::copy("c", 1, Milliseconds(1), {}, {a, b}));
  TaskId d = g.add(Task::compute("d", 0, Milliseconds(1), {c}));  // same stream as a, waits for c
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(2), g, net);
  EXPECT_EQ(run.tasks[a.value], (TaskRecord{Milliseconds(0), Milliseconds(2)}));
  EXPECT_EQ(run.tasks[b.value].start, run.tasks[a.value].end);
  EXPECT_DOUBLE_EQ(ms(run.tasks[b.value].end), 5.0);
  EXPECT_EQ(run.tasks[c.value].start, run.tasks[b.value].end);
  EXPECT_EQ(run.tasks[d.value].start, run.tasks[c.value].end);
  EXPECT_DOUBLE_EQ(ms(run.makespan), 7.0);
  EXPECT_EQ(net.started(), 0);  // no transfers, no network
}

TEST(EngineTest, StreamSerializesTasksInTheOrderAdded) {
  TaskGraph g;
  TaskId a = g.add(Task::compute("a", 0, Milliseconds(2)));
  TaskId b = g.add(Task::compute("b", 0, Milliseconds(3)));  // no dependency, same stream
  TaskId c = g.add(Task::communication("c", 0, Milliseconds(1)));
  TaskId d = g.add(Task::communication("d", 0, Milliseconds(1)));
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(1), g, net);
  EXPECT_EQ(run.tasks[b.value].start, run.tasks[a.value].end);
  EXPECT_EQ(run.tasks[d.value].start, run.tasks[c.value].end);
  ASSERT_EQ(run.streams.size(), 2u);
  EXPECT_EQ(run.streams[0].stream, kComputeStream);
  ASSERT_EQ(run.streams[0].intervals.size(), 2u);
  EXPECT_EQ(run.streams[0].intervals[0].task, a);
  EXPECT_EQ(run.streams[0].intervals[1].task, b);
  EXPECT_EQ(run.streams[1].stream, kCommunicationStream);
  EXPECT_DOUBLE_EQ(ms(run.streams[1].busy()), 2.0);
}

TEST(EngineTest, HeadOfStreamBlocksLaterReadyTask) {
  // CUDA semantics: b is ready at 0 but waits behind a, which waits for x.
  TaskGraph g;
  TaskId x = g.add(Task::compute("x", 1, Milliseconds(4)));
  TaskId a = g.add(Task::copy("a", 0, Milliseconds(1), {}, {x}));
  TaskId b = g.add(Task::copy("b", 0, Milliseconds(1)));
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(2), g, net);
  EXPECT_DOUBLE_EQ(ms(run.tasks[a.value].start), 4.0);
  EXPECT_DOUBLE_EQ(ms(run.tasks[b.value].start), 5.0);
}

TEST(EngineTest, DifferentStreamsOverlap) {
  TaskGraph g;
  TaskId a = g.add(Task::compute("a", 0, Milliseconds(3)));
  Task other = Task::compute("a2", 0, Milliseconds(3));
  other.stream = 5;  // a second compute stream
  TaskId a2 = g.add(other);
  TaskId c = g.add(Task::copy("c", 0, Milliseconds(2)));
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(1), g, net);
  for (TaskId t : {a, a2, c}) EXPECT_EQ(run.tasks[t.value].start, Seconds());
  // Copies take no SMs: the compute tasks run at full speed.
  EXPECT_EQ(run.tasks[a.value].end, Milliseconds(3));
  EXPECT_EQ(run.tasks[a2.value].end, Milliseconds(3));
  EXPECT_EQ(run.makespan, Milliseconds(3));
  ASSERT_EQ(run.streams.size(), 3u);
  EXPECT_EQ(run.streams[2].stream, 5);
}

// 10 ms of compute on GPU 0 from t = 0; communication on GPU 0 from 2 ms to
// 6 ms (it waits for a 2 ms task on GPU 1) holding 20 of 132 SMs. By hand:
// 2 ms at full speed, 4 ms at 112/132 (3.3939 ms of work), the remaining
// 4.6061 ms at full speed: the compute ends at 10 + 4 * 20/132 = 10.6061 ms.
TEST(EngineTest, ComputeSlowedExactlyBySmShareDuringOverlap) {
  TaskGraph g;
  TaskId big = g.add(Task::compute("gemm", 0, Milliseconds(10)));
  TaskId gate = g.add(Task::compute("gate", 1, Milliseconds(2)));
  TaskId comm = g.add(Task::communication("dispatch", 0, Milliseconds(4), {}, {gate}));
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(2), g, net);
  EXPECT_DOUBLE_EQ(ms(run.tasks[comm.value].start), 2.0);
  EXPECT_DOUBLE_EQ(ms(run.tasks[comm.value].end), 6.0);
  EXPECT_NEAR(ms(run.tasks[big.value].end), 10.0 + 4.0 * 20.0 / 132.0, 1e-12);
  // Work conservation: full-speed time + slowed time * speed = work.
  const double slowed = 4.0, full = ms(run.tasks[big.value].end) - slowed;
  EXPECT_NEAR(full + slowed * 112.0 / 132.0, 10.0, 1e-12);
}

// Only the SM-bound share of a task's work slows: with sm_bound 0.5 over the
// same 4 ms of communication, the speed is 1 / (0.5 / share + 0.5); a
// bandwidth-bound task (0) keeps its speed; one out of [0, 1] is a problem.
TEST(EngineTest, OnlyTheSmBoundShareOfComputeSlows) {
  for (double f : {0.0, 0.5}) {
    TaskGraph g;
    Task t = Task::compute("mixed", 0, Milliseconds(10));
    t.sm_bound = f;
    TaskId big = g.add(std::move(t));
    TaskId gate = g.add(Task::compute("gate", 1, Milliseconds(2)));
    g.add(Task::communication("dispatch", 0, Milliseconds(4), {}, {gate}));
    FixedLinkNetwork net = network();
    EngineRun run = execute(gpus(2), g, net);
    const double speed = 1.0 / (f * 132.0 / 112.0 + (1.0 - f));
    EXPECT_NEAR(ms(run.tasks[big.value].end), 2.0 + 4.0 + (8.0 - 4.0 * speed), 1e-12) << f;
  }
  TaskGraph bad;
  Task t = Task::compute("x", 0, Milliseconds(1));
  t.sm_bound = 1.5;
  bad.add(std::move(t));
  const auto problems = task_graph_problems(gpus(1), bad);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("sm_bound"), std::string::npos) << problems[0];
}

TEST(EngineTest, InterferenceSlowsComputeFurtherWhileCommunicationRuns) {
  TaskGraph g;
  TaskId big = g.add(Task::compute("gemm", 0, Milliseconds(10)));
  TaskId gate = g.add(Task::compute("gate", 1, Milliseconds(2)));
  g.add(Task::communication("dispatch", 0, Milliseconds(4), {}, {gate}));
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(2, 0.25), g, net);
  const double speed = 112.0 / 132.0 * 0.75;
  EXPECT_NEAR(ms(run.tasks[big.value].end), 2.0 + 4.0 + (8.0 - 4.0 * speed), 1e-12);
}

TEST(EngineTest, ComputeStartingDuringCommunicationStartsSlow) {
  // Communication from 0 to 4 ms; compute of 5 ms starts at 1 ms (after a copy):
  // 3 ms at 112/132, then the rest at full speed.
  TaskGraph g;
  g.add(Task::communication("combine", 0, Milliseconds(4)));
  TaskId pre = g.add(Task::copy("h2d", 0, Milliseconds(1)));
  TaskId c = g.add(Task::compute("mlp", 0, Milliseconds(5), {pre}));
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(1), g, net);
  EXPECT_NEAR(ms(run.tasks[c.value].end), 4.0 + (5.0 - 3.0 * 112.0 / 132.0), 1e-12);
}

TEST(EngineTest, CommunicationHoldingEverySmPausesCompute) {
  TaskGraph g;
  TaskId c = g.add(Task::compute("mlp", 0, Milliseconds(5)));
  Task all = Task::communication("all-sms", 0, Milliseconds(2));
  all.sms = 132;
  g.add(all);
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(1), g, net);
  EXPECT_DOUBLE_EQ(ms(run.tasks[c.value].end), 7.0);
}

// The kernel could finish in 1 ms, but its 1 GB cross the 100 GB/s link in
// 10 ms + 5 us latency: the task ends then, holding its SMs all along.
TEST(EngineTest, CommunicationEndsWhenItsNetworkActivityCompletes) {
  TaskGraph g;
  TaskId comm =
      g.add(Task::communication("dispatch", 0, Milliseconds(1), {{0, 1, GB(1)}, {0, 0, GB(5)}}));
  TaskId after = g.add(Task::compute("after", 1, Milliseconds(1), {comm}));
  TaskId overlapped = g.add(Task::compute("overlapped", 0, Milliseconds(20)));
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(2), g, net);
  const double network_ms = 10.0 + 0.005;
  EXPECT_EQ(net.started(), 1);
  EXPECT_NEAR(ms(run.tasks[comm.value].end), network_ms, 1e-12);
  EXPECT_EQ(run.tasks[after.value].start, run.tasks[comm.value].end);
  EXPECT_NEAR(ms(run.tasks[overlapped.value].end), 20.0 + network_ms * 20.0 / 132.0, 1e-9);
}

TEST(EngineTest, CommunicationLongerThanItsNetworkActivityKeepsItsDuration) {
  TaskGraph g;
  TaskId comm = g.add(Task::communication("small", 0, Milliseconds(3), {{0, 1, MB(1)}}));
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(2), g, net);
  EXPECT_EQ(run.tasks[comm.value].end, Milliseconds(3));
}

TEST(EngineTest, EventsLogStartsAndEnds) {
  TaskGraph g;
  TaskId a = g.add(Task::compute("a", 0, Milliseconds(1)));
  TaskId b = g.add(Task::compute("b", 0, Milliseconds(1)));
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(1), g, net);
  ASSERT_EQ(run.events.size(), 4u);
  EXPECT_EQ(run.events[0], (EngineEvent{Seconds(), EngineEventKind::kStart, a}));
  EXPECT_EQ(run.events[1], (EngineEvent{Milliseconds(1), EngineEventKind::kEnd, a}));
  EXPECT_EQ(run.events[2], (EngineEvent{Milliseconds(1), EngineEventKind::kStart, b}));
  EXPECT_EQ(run.events[3], (EngineEvent{Milliseconds(2), EngineEventKind::kEnd, b}));
}

TEST(EngineTest, ZeroWorkTasksCascadeAtOneInstant) {
  TaskGraph g;
  TaskId a = g.add(Task::compute("a", 0, Seconds()));
  TaskId b = g.add(Task::communication("b", 0, Seconds(), {}, {a}));
  TaskId c = g.add(Task::compute("c", 0, Milliseconds(1), {b}));
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(1), g, net);
  EXPECT_EQ(run.tasks[b.value].end, Seconds());
  EXPECT_EQ(run.tasks[c.value].end, Milliseconds(1));
}

TEST(EngineTest, DependencyCycleIsAnErrorNotAHang) {
  TaskGraph g;
  g.add(Task::compute("a", 0, Milliseconds(1), {TaskId{1}}));
  g.add(Task::communication("b", 0, Milliseconds(1), {}, {TaskId{0}}));
  auto problems = task_graph_problems(gpus(1), g);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("dependency cycle"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("t0 'a'"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("t1 'b'"), std::string::npos) << problems[0];
  FixedLinkNetwork net = network();
  EXPECT_THROW(execute(gpus(1), g, net), std::logic_error);
}

TEST(EngineTest, CycleThroughStreamOrderIsFound) {
  // a is first on the stream; it waits for b, which the stream puts after a.
  TaskGraph g;
  g.add(Task::compute("a", 0, Milliseconds(1), {TaskId{1}}));
  g.add(Task::compute("b", 0, Milliseconds(1)));
  auto problems = task_graph_problems(gpus(1), g);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("dependency cycle"), std::string::npos) << problems[0];
}

TEST(EngineTest, ForwardReferencesWithoutCycleRun) {
  TaskGraph g;
  TaskId a = g.add(Task::compute("a", 0, Milliseconds(1), {TaskId{1}}));
  TaskId b = g.add(Task::compute("b", 1, Milliseconds(2)));
  FixedLinkNetwork net = network();
  EngineRun run = execute(gpus(2), g, net);
  EXPECT_EQ(run.tasks[a.value].start, run.tasks[b.value].end);
}

TEST(EngineTest, ProblemsNameEveryBadTask) {
  TaskGraph g;
  g.add(Task::compute("off-cluster", 3, Milliseconds(1)));
  g.add(Task::compute("dangling", 0, Milliseconds(1), {TaskId{9}}));
  g.add(Task::compute("self", 0, Milliseconds(1), {TaskId{2}}));
  g.add(Task::compute("negative", 0, Milliseconds(-1)));
  Task c = Task::compute("flows", 0, Milliseconds(1));
  c.transfers = {{0, 1, MB(1)}};
  g.add(c);
  Task s = Task::communication("too-many-sms", 0, Milliseconds(1));
  s.sms = 200;
  g.add(s);
  auto problems = task_graph_problems(gpus(1), g);
  ASSERT_EQ(problems.size(), 6u);
  EXPECT_NE(problems[0].find("gpu 3 is not in [0, 1)"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("does not exist"), std::string::npos) << problems[1];
  EXPECT_NE(problems[2].find("itself"), std::string::npos) << problems[2];
  EXPECT_NE(problems[3].find("work must be >= 0"), std::string::npos) << problems[3];
  EXPECT_NE(problems[4].find("no network transfers"), std::string::npos) << problems[4];
  EXPECT_NE(problems[5].find("sms 200"), std::string::npos) << problems[5];
}

TEST(EngineTest, BadGpuConfigIsAProblem) {
  std::vector<GpuConfig> bad = gpus(1, 1.0);
  bad[0].comm_sms = 140;
  auto problems = task_graph_problems(bad, TaskGraph());
  EXPECT_EQ(problems.size(), 2u);
}

}  // namespace
}  // namespace moesim
