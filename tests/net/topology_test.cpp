#include "sim/net/topology.h"

#include <gtest/gtest.h>

#include "tests/net/net_support.h"

namespace moesim {
namespace {

using testing::probe_cluster;

TEST(Topology, IntraNodeTrafficUsesOnlyNvlink) {
  Topology t(probe_cluster(2, FabricKind::kMultiPlaneFatTree));
  const auto r = t.route(1, 6);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(t.links()[r[0].link].name, "nvl1");
  EXPECT_TRUE(r[0].up);
  EXPECT_EQ(t.links()[r[1].link].name, "nvl6");
  EXPECT_FALSE(r[1].up);
  EXPECT_TRUE(t.needs_own_route(1, 6));
}

TEST(Topology, MultiPlaneRelaysAcrossPlanesOverNvlink) {
  // 64 nodes: 64 GPUs per plane, two leaves of 32 per plane.
  Topology t(probe_cluster(64, FabricKind::kMultiPlaneFatTree));
  EXPECT_EQ(t.gpus_per_leaf(), 32);
  EXPECT_EQ(t.num_leaves(), 16);
  // GPU 3 (node 0, plane 3) to GPU 8 * 40 + 5 (node 40, plane 5): NVLink to
  // GPU 5 of node 0, then plane 5 across its two leaves.
  const auto r = t.route(3, 8 * 40 + 5);
  std::vector<std::string> names;
  for (const LinkHop& h : r) names.push_back(t.links()[h.link].name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"nvl3", "nvl5", "nic5", "leaf10", "leaf11", "nic325"}));
  EXPECT_TRUE(t.needs_own_route(3, 325));
  // Same plane, different leaves: the default route up(s) + down(d).
  EXPECT_FALSE(t.needs_own_route(5, 325));
  // Same plane, same leaf: NIC to NIC.
  EXPECT_EQ(t.route(5, 8 * 3 + 5).size(), 2u);
}

TEST(Topology, RailOptimizedCrossRailGoesThroughTheSpine) {
  Topology t(probe_cluster(4, FabricKind::kRailOptimized));
  EXPECT_EQ(t.num_leaves(), 8);             // one rail leaf per local index
  EXPECT_EQ(t.route(2, 8 + 2).size(), 2u);  // same rail: one leaf
  EXPECT_EQ(t.route(2, 8 + 3).size(), 4u);  // cross-rail: up and down the spine
  EXPECT_FALSE(t.needs_own_route(2, 8 + 3));
}

TEST(Topology, OversubscribedLeavesHaveThinnerUpLinks) {
  ClusterSpec c = probe_cluster(16, FabricKind::kFatTree);
  c.fabric.oversubscription = 2.0;
  Topology t(c);
  // 64 ports x 2/3 = 42 down-links, rounded to whole nodes: 40; 20 up-links.
  EXPECT_EQ(t.gpus_per_leaf(), 40);
  EXPECT_EQ(t.num_leaves(), 4);
  const TopologyLink& leaf = t.links().back();
  EXPECT_DOUBLE_EQ(gb_per_s(leaf.bandwidth), 40 * 50.0 / 2.0);
  // Latencies add up to the cluster's: NVLink within a node, IB across leaves.
  Seconds across;
  for (const LinkHop& h : t.route(0, 8 * 15)) across += t.links()[h.link].latency;
  EXPECT_NEAR(seconds(across), 2e-6, 1e-15);
  Seconds within;
  for (const LinkHop& h : t.route(0, 7)) within += t.links()[h.link].latency;
  EXPECT_NEAR(seconds(within), 1e-6, 1e-15);
}

TEST(Topology, KernelEnginesFrameEveryRoute) {
  Topology t(probe_cluster(4, FabricKind::kMultiPlaneFatTree),
             KernelEngines{GBPerSecond(300), GBPerSecond(200)});
  EXPECT_TRUE(t.has_engines());
  for (auto [s, d] : {std::pair{0, 1}, std::pair{0, 8}, std::pair{3, 13}}) {
    const auto r = t.route(s, d);
    EXPECT_EQ(t.links()[r.front().link].name, "smtx" + std::to_string(s));
    EXPECT_EQ(t.links()[r.back().link].name, "smrx" + std::to_string(d));
  }
  EXPECT_DOUBLE_EQ(gb_per_s(t.links()[t.up(5).front().link].bandwidth), 300);
  EXPECT_DOUBLE_EQ(gb_per_s(t.links()[t.down(5).back().link].bandwidth), 200);
  EXPECT_FALSE(Topology(probe_cluster(4, FabricKind::kFatTree)).has_engines());
}

TEST(Topology, TooManyNodesForThreeTiersIsAProblem) {
  ClusterSpec c = probe_cluster(257, FabricKind::kFatTree);
  c.fabric.switch_ports = 64;
  // Two layers hold 64 leaves x 32 GPUs = 2048 GPUs; 257 nodes (2056) take a
  // third: pods of 32 leaves, at most 64 of them, 65,536 GPUs (8192 nodes).
  EXPECT_TRUE(topology_problems(c).empty());
  EXPECT_EQ(Topology(c).num_pods(), 3);
  c.num_nodes = 256;
  EXPECT_EQ(Topology(c).num_pods(), 0);
  c.num_nodes = 8192;
  EXPECT_TRUE(topology_problems(c).empty());
  c.num_nodes = 8193;
  ASSERT_EQ(topology_problems(c).size(), 1u);
  c.fabric.kind = FabricKind::kRailOptimized;  // 8 rails x 256 leaves of 32 nodes
  c.num_nodes = 8192;
  EXPECT_TRUE(topology_problems(c).empty());
  c.num_nodes = 8193;
  EXPECT_EQ(topology_problems(c).size(), 1u);
}

}  // namespace
}  // namespace moesim
