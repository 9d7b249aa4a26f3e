// The stepwise SimGrid network (make_network_backend): the engine's backend.
// It must give the one-shot simulation's times for the same flows, share links
// between activities started at different times, and make concurrent
// collectives in the engine slow each other down.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <thread>

#include "sim/core/diagnostics.h"
#include "sim/engine/engine.h"
#include "sim/net/deepep_model.h"
#include "sim/net/network.h"
#include "tests/net/net_support.h"

namespace moesim {
namespace {

using testing::first_gpus;
using testing::probe_cluster;
using testing::uniform_all_to_all;

std::vector<std::pair<int, int>> pairs_of(const std::vector<NetworkTransfer>& t) {
  std::vector<std::pair<int, int>> p;
  for (const NetworkTransfer& x : t) p.emplace_back(x.src, x.dst);
  return p;
}

std::vector<NetworkTransfer> transfers(const std::vector<Flow>& flows) {
  std::vector<NetworkTransfer> t;
  for (const Flow& f : flows) t.emplace_back(f.src, f.dst, f.bytes, f.delay);
  return t;
}

// Runs one activity alone to completion; returns its completion time.
Seconds run_alone(NetworkBackend& net, const std::vector<NetworkTransfer>& t) {
  net.start(ActivityId{7}, t, Seconds());
  const NetworkStep s = net.advance(std::nullopt);
  EXPECT_EQ(s.completed.size(), 1u);
  EXPECT_FALSE(net.busy());
  return s.time;
}

TEST(NetworkSession, OneActivityEndsWhenTheOneShotSimulationSaysItsLastFlowDoes) {
  const ClusterSpec c = probe_cluster(4, FabricKind::kMultiPlaneFatTree);
  std::vector<Flow> flows = uniform_all_to_all(first_gpus(32), MB(3), 32);
  for (size_t i = 0; i < flows.size(); ++i) flows[i].bytes = MB(1 + (i * 7919) % 13);
  const NetworkRun once = make_network(c)->run_phases({flows});
  const auto t = transfers(flows);
  auto net = make_network_backend(c, {}, pairs_of(t), NetworkGranularity::kFlows);
  const Seconds end = run_alone(*net, t);
  EXPECT_NEAR(seconds(end), seconds(once.makespan()), 1e-12 * seconds(once.makespan()));
}

TEST(NetworkSession, AnActivityStartedLaterSharesOnlyFromThen) {
  // Network.ADelayedFlowSharesOnlyOnceItStarted, with B started by the engine's
  // protocol 50 us in: A ends at 150 us, B at 200 us, plus 1 us of NVLink.
  const ClusterSpec c = probe_cluster(1, FabricKind::kFatTree);
  auto net = make_network_backend(c, {}, {{0, 1}, {2, 1}}, NetworkGranularity::kFlows);
  net->start(ActivityId{1}, {{0, 1, MB(40)}}, Seconds());
  NetworkStep s = net->advance(Microseconds(50));
  EXPECT_EQ(s.time, Microseconds(50));
  EXPECT_TRUE(s.completed.empty());
  net->start(ActivityId{2}, {{2, 1, MB(40)}}, s.time);
  s = net->advance(std::nullopt);
  EXPECT_NEAR(seconds(s.time), 151e-6, 1e-12);
  ASSERT_EQ(s.completed.size(), 1u);
  EXPECT_EQ(s.completed[0].value, 1u);
  s = net->advance(Milliseconds(1));  // the limit is later than B's end
  EXPECT_NEAR(seconds(s.time), 201e-6, 1e-12);
  ASSERT_EQ(s.completed.size(), 1u);
  EXPECT_EQ(s.completed[0].value, 2u);
  EXPECT_FALSE(net->busy());
  s = net->advance(Milliseconds(1));  // idle: the clock jumps to the limit
  EXPECT_EQ(s.time, Milliseconds(1));
}

TEST(NetworkSession, DelayAndTailTakeNoBandwidth) {
  const ClusterSpec c = probe_cluster(1, FabricKind::kFatTree);
  auto net = make_network_backend(c, {}, {{0, 1}}, NetworkGranularity::kFlows);
  // 40 MB over 400 GB/s = 100 us, starting 30 us in, 1 us latency, 5 us tail.
  const Seconds end = run_alone(*net, {{0, 1, MB(40), Microseconds(30), Microseconds(5)}});
  EXPECT_NEAR(seconds(end), 136e-6, 1e-12);
}

TEST(NetworkSession, SameCallsGiveIdenticalResults) {
  const ClusterSpec c = probe_cluster(2, FabricKind::kMultiPlaneFatTree);
  std::vector<Flow> flows = uniform_all_to_all(first_gpus(16), MB(2), 16);
  for (size_t i = 0; i < flows.size(); ++i) flows[i].bytes = MB(1 + (i * 31) % 7);
  const auto t = transfers(flows);
  auto run = [&] {
    auto net = make_network_backend(c, {}, pairs_of(t), NetworkGranularity::kFlows);
    std::vector<double> out;
    net->start(ActivityId{1}, {t.begin(), t.begin() + 100}, Seconds());
    NetworkStep s = net->advance(Microseconds(10));
    net->start(ActivityId{2}, {t.begin() + 100, t.end()}, s.time);
    while (net->busy()) out.push_back(seconds(net->advance(std::nullopt).time));
    return out;
  };
  EXPECT_EQ(run(), run());
}

// Sessions opened and closed by several threads at once: each child must hold
// only its own pipes, or two children forked in a race keep each other's
// parents waiting forever (seen as a hang of `moesim run -j 2 --fidelity des`).
TEST(NetworkSession, ConcurrentSessionsInThreadsAllFinish) {
  const ClusterSpec c = probe_cluster(1, FabricKind::kFatTree);
  auto work = [&c] {
    for (int k = 0; k < 20; ++k) {
      auto net = make_network_backend(c, {}, {{0, 1}}, NetworkGranularity::kFlows);
      EXPECT_NEAR(seconds(run_alone(*net, {{0, 1, MB(40)}})), 101e-6, 1e-12);
    }
  };
  std::thread a(work), b(work), d(work);
  a.join();
  b.join();
  d.join();
}

TEST(NetworkSession, AnUndeclaredPairIsABug) {
  const ClusterSpec c = probe_cluster(2, FabricKind::kFatTree);
  auto net = make_network_backend(c, {}, {{0, 1}}, NetworkGranularity::kFlows);
  EXPECT_THROW(net->start(ActivityId{1}, {{0, 2, MB(1)}}, Seconds()), std::logic_error);
}

TEST(NetworkSession, BadClusterIsAnInputError) {
  ClusterSpec c = probe_cluster(2, FabricKind::kFatTree);
  c.ib_achievable = BytesPerSecond();
  EXPECT_THROW(make_network_backend(c, {}, {}, NetworkGranularity::kFlows), InputError);
}

TEST(NetworkSession, ACollectiveAsOneParallelTaskEndsAtItsBottleneck) {
  // 16 GPUs, 64 MB per pair: 8 x 64 MB through each 50 GB/s NIC = 10.24 ms
  // (the notes' hand calculation) plus the largest route latency, 2 us x 2.8/3.7.
  const ClusterSpec c = probe_cluster(2, FabricKind::kFatTree);
  const auto t = transfers(uniform_all_to_all(first_gpus(16), MB(64), 16));
  auto net = make_network_backend(c, {}, pairs_of(t), NetworkGranularity::kCollectives);
  EXPECT_NEAR(seconds(run_alone(*net, t)), 8 * 64e6 / 50e9 + 2e-6 * 2.8 / 3.7, 1e-9);
}

// Two communication tasks on different GPUs of one node whose flows leave
// through the same NIC-bound GPU: in the engine, on the SimGrid session, each
// takes longer than alone, and together they take what the shared link says.
TEST(NetworkSession, ConcurrentCollectivesInTheEngineContend) {
  const ClusterSpec c = probe_cluster(2, FabricKind::kFatTree);
  for (NetworkGranularity g : {NetworkGranularity::kFlows, NetworkGranularity::kCollectives}) {
    SCOPED_TRACE(to_string(g));
    // GPU 0 and GPU 1 each send 50 MB to GPU 8 (the other node): both cross
    // GPU 8's 50 GB/s NIC down-link. Alone: 1 ms; together: 2 ms.
    auto run = [&](bool both) {
      TaskGraph graph;
      graph.add(Task::communication("a", 0, Seconds(), {{0, 8, MB(50)}}));
      if (both) graph.add(Task::communication("b", 1, Seconds(), {{1, 8, MB(50)}}));
      auto net = make_network_backend(c, {}, {{0, 8}, {1, 8}}, g);
      return execute(std::vector<GpuConfig>(16), graph, *net);
    };
    const EngineRun alone = run(false), together = run(true);
    const double lat = 2e-6 * 2.8 / 3.7;
    EXPECT_NEAR(seconds(alone.makespan), 1e-3 + lat, 1e-9);
    EXPECT_NEAR(seconds(together.tasks[0].end), 2e-3 + lat, 1e-9);
    EXPECT_NEAR(seconds(together.tasks[1].end), 2e-3 + lat, 1e-9);
  }
}

// A DeepEP call as the engine's activity (deepep_call) against run_deepep, the
// validated model (DeepEP's EP16 and EP64 settings, H800 defaults): per flow,
// the same time; as one parallel task, the gap that kCollectives costs,
// printed and bounded.
TEST(NetworkSession, ADeepEpCallTakesWhatTheValidatedModelSays) {
  for (int ep : {16, 64}) {
    for (EpDirection d : {EpDirection::kDispatch, EpDirection::kCombine}) {
      const ClusterSpec c = default_cluster(*find_gpu("H800"), ep / 8);
      const EpTraffic t = deepep_test_traffic(ep, 8, 4096, RoutingSpec{});
      const DeepEpKernel k;
      const DeepEpConfig cfg = deepep_config(d, ep);
      const EpCollectiveSpec spec;
      const DeepEpResult ref = run_deepep(c, t, d, spec, k, cfg);
      const DeepEpCall call = deepep_call(c, t, d, spec, k, cfg, 0);
      Seconds got[2];
      int i = 0;
      for (NetworkGranularity g : {NetworkGranularity::kFlows, NetworkGranularity::kCollectives}) {
        auto net = make_network_backend(call.network, call.engines, pairs_of(call.transfers), g);
        got[i++] = run_alone(*net, call.transfers);
      }
      std::printf("EP%d %s: run_deepep %.1f us, session per flow %.1f us, per collective %.1f us\n",
                  ep, d == EpDirection::kDispatch ? "dispatch" : "combine", seconds(ref.time) * 1e6,
                  seconds(got[0]) * 1e6, seconds(got[1]) * 1e6);
      EXPECT_NEAR(seconds(got[0]), seconds(ref.time), 1e-9 * seconds(ref.time));
      // One parallel task paces every flow by the busiest link: not slower
      // than the per-flow model by more than its fill and drain, and not more
      // than 25% faster (measured: see the printout; docs/network.md).
      EXPECT_NEAR(seconds(got[1]) / seconds(ref.time), 1.0, 0.25);
    }
  }
}

}  // namespace
}  // namespace moesim
