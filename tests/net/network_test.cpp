#include "sim/net/network.h"

#include <gtest/gtest.h>

#include <chrono>

#include "sim/core/diagnostics.h"
#include "tests/net/net_support.h"

namespace moesim {
namespace {

using testing::first_gpus;
using testing::probe_cluster;
using testing::uniform_all_to_all;

TEST(Network, SixteenGpuAllToAllMatchesHandCalculation) {
  // shared/notes/build-and-simgrid.md §4: intra-node 7 x 64 MB through one
  // 400 GB/s port = 1.12 ms; inter-node 8 x 64 MB through one 50 GB/s NIC =
  // 10.24 ms. All 16 GPUs sit on one leaf of a fat-tree: NIC to NIC.
  auto net = make_network(probe_cluster(2, FabricKind::kFatTree));
  const auto flows = uniform_all_to_all(first_gpus(16), MB(64), 16);
  const auto r = net->run(flows);
  ASSERT_EQ(r.size(), flows.size());
  double first_intra = 1e9, last_intra = 0, last = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r[i].tag, flows[i].tag);
    const double t = seconds(r[i].finish);
    if (flows[i].src / 8 == flows[i].dst / 8) {
      first_intra = std::min(first_intra, t);
      last_intra = std::max(last_intra, t);
    }
    last = std::max(last, t);
  }
  // Latency: NVLink 1 us; IB within a leaf 2 us x 2.8/3.7.
  EXPECT_NEAR(first_intra, 7 * 64e6 / 400e9 + 1e-6, 1e-7);
  EXPECT_NEAR(last_intra, first_intra, 1e-7);
  EXPECT_NEAR(last, 8 * 64e6 / 50e9 + 2e-6 * 2.8 / 3.7, 1e-7);
}

TEST(Network, PhasesStartWhenThePreviousPhaseEnds) {
  auto net = make_network(probe_cluster(2, FabricKind::kFatTree));
  // 40 MB over one 400 GB/s NVLink hop (0.1 ms), then 50 MB over IB (1 ms).
  const NetworkRun r =
      net->run_phases({{{0, 1, MB(40), 7}}, {{0, 8, MB(50), 9}, {3, 3, MB(1), 5}}});
  ASSERT_EQ(r.flows.size(), 3u);
  ASSERT_EQ(r.phase_end.size(), 2u);
  EXPECT_NEAR(seconds(r.phase_end[0]), 1e-4 + 1e-6, 1e-9);
  EXPECT_EQ(r.flows[1].start, r.phase_end[0]);
  EXPECT_NEAR(seconds(r.flows[1].finish - r.flows[1].start), 1e-3 + 2e-6 * 2.8 / 3.7, 1e-9);
  // A flow to itself needs no network.
  EXPECT_EQ(r.flows[2].tag, 5u);
  EXPECT_EQ(r.flows[2].finish, r.flows[2].start);
  EXPECT_EQ(r.makespan(), r.phase_end[1]);
}

TEST(Network, ADelayedFlowSharesOnlyOnceItStarted) {
  // Both into GPU 1's 400 GB/s NVLink port. A runs alone for 50 us (20 MB),
  // then both get 200 GB/s: A's last 20 MB end at 150 us; B has 20 MB left
  // then and finishes alone at 200 us. Plus the 1 us NVLink latency.
  auto net = make_network(probe_cluster(1, FabricKind::kFatTree));
  Flow a{0, 1, MB(40), 1};
  Flow b{2, 1, MB(40), 2};
  b.delay = Microseconds(50);
  const NetworkRun r = net->run_phases({{a, b}});
  EXPECT_NEAR(seconds(r.flows[0].finish), 151e-6, 1e-9);
  EXPECT_EQ(r.flows[1].start, Microseconds(50));
  EXPECT_NEAR(seconds(r.flows[1].finish), 201e-6, 1e-9);
}

TEST(Network, FlowsShareALinkEquallyWhateverTheirRouteLatency) {
  // Into NIC 9: one flow from GPU 1 (same plane), one from GPU 2 relayed over
  // NVLink to GPU 1 first. Max-min gives each half of the 40 GB/s NIC.
  auto net = make_network(default_cluster(*find_gpu("H800"), 2));
  const auto r = net->run({{1, 9, MB(50), 0}, {2, 9, MB(50), 1}});
  EXPECT_NEAR(seconds(r[0].finish), 100e6 / 40e9, 1e-5);
  EXPECT_NEAR(seconds(r[1].finish), 100e6 / 40e9, 1e-5);
}

TEST(Network, SameFlowsGiveIdenticalResults) {
  auto net = make_network(probe_cluster(4, FabricKind::kMultiPlaneFatTree));
  std::vector<Flow> flows = uniform_all_to_all(first_gpus(32), MB(3), 32);
  for (size_t i = 0; i < flows.size(); ++i) flows[i].bytes = MB(1 + (i * 7919) % 13);
  const auto a = net->run(flows);
  auto other = make_network(probe_cluster(2, FabricKind::kFatTree));
  other->run(uniform_all_to_all(first_gpus(16), MB(1), 16));  // something else in between
  const auto b = net->run(flows);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].finish, b[i].finish) << i;
}

TEST(Network, SimulationRunsInAFreshProcess) {
  // Each run forks a child with its own SimGrid engine; measure that overhead.
  auto net = make_network(probe_cluster(1, FabricKind::kFatTree));
  const auto t0 = std::chrono::steady_clock::now();
  constexpr int kRuns = 20;
  for (int i = 0; i < kRuns; ++i) {
    const auto r = net->run({{0, 1, MB(1), 0}});
    EXPECT_NEAR(seconds(r[0].finish), 1e6 / 400e9 + 1e-6, 1e-12);
  }
  const double per_run =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / kRuns;
  std::printf("fork + engine + one flow: %.2f ms per run\n", per_run * 1e3);
  EXPECT_LT(per_run, 0.5);
}

TEST(Network, ImpossibleClustersAreReported) {
  ClusterSpec c = probe_cluster(2, FabricKind::kMultiPlaneFatTree);
  c.ib_achievable = BytesPerSecond();
  EXPECT_THROW(make_network(c), InputError);
  c = probe_cluster(2, FabricKind::kMultiPlaneFatTree);
  c.fabric.planes = 3;
  EXPECT_FALSE(network_problems(c).empty());
  // 8 planes of 64-port switches: two layers hold 64 x 32 = 2048 GPUs per
  // plane, three 64 pods x 32 leaves x 32 = 65,536.
  c = probe_cluster(2049, FabricKind::kMultiPlaneFatTree);
  EXPECT_TRUE(network_problems(c).empty());
  c.num_nodes = 65536;
  EXPECT_TRUE(network_problems(c).empty());
  c.num_nodes = 65537;
  const Diagnostics d = network_problems(c);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d.items()[0].message.find("at most 64 pods of 32 leaves"), std::string::npos)
      << d.items()[0].message;
}

}  // namespace
}  // namespace moesim
