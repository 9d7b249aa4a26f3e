// Three-tier Clos fabrics (sim/net/topology.h, "Three tiers") and the RoCE
// transport: when pods form, a cross-pod flow's route, bottleneck and latency
// by hand, the shift symmetry over pods, two-layer clusters left as they were,
// and the limit of three tiers. The fast model against the per-flow reference
// on three tiers is in three_tier_fluid_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/net/max_min_fluid.h"
#include "sim/net/nccl_collectives.h"
#include "sim/net/topology.h"
#include "tests/net/net_support.h"

namespace moesim {
namespace {

using testing::first_gpus;
using testing::probe_cluster;

// The probe cluster (50 GB/s NICs, 2 us cross-leaf IB latency) on a fat-tree
// of 8-port switches: leaves of 4 GPUs (half a node), so two layers hold 8
// leaves (32 GPUs) and pods appear beyond.
ClusterSpec small_switches(int nodes, FabricKind kind, double aggregation = 1.0) {
  ClusterSpec c = probe_cluster(nodes, kind);
  c.fabric.switch_ports = 8;
  c.fabric.aggregation_oversubscription = aggregation;
  return c;
}

std::vector<std::string> names(const Topology& t, const std::vector<LinkHop>& r) {
  std::vector<std::string> v;
  for (const LinkHop& h : r) v.push_back(t.links()[static_cast<size_t>(h.link)].name);
  return v;
}

Seconds latency(const Topology& t, int s, int d) {
  Seconds total;
  for (const LinkHop& h : t.route(s, d)) total += t.links()[static_cast<size_t>(h.link)].latency;
  return total;
}

TEST(ThreeTier, PodsFormOnlyWhenTheLeavesOutgrowTwoLayers) {
  // 4 nodes: 8 leaves of 4 GPUs, two layers.
  EXPECT_EQ(Topology(small_switches(4, FabricKind::kFatTree)).num_pods(), 0);
  // 8 nodes: 16 leaves; pods of 8 x 1 / 2 = 4 leaves (16 GPUs), 4 pods.
  const Topology t(small_switches(8, FabricKind::kFatTree));
  EXPECT_EQ(t.num_leaves(), 16);
  EXPECT_EQ(t.leaves_per_pod(), 4);
  EXPECT_EQ(t.num_pods(), 4);
  EXPECT_EQ(t.pod_of(15), 0);
  EXPECT_EQ(t.pod_of(16), 1);
  // Multi-plane, 2 planes: pods per plane. 16 nodes: 64 GPUs a plane, 16
  // leaves a plane, 4 pods a plane; GPU 8 x 5 + 1 is plane 1's endpoint 20
  // (leaf 5 of the plane, its pod 1).
  ClusterSpec mp = small_switches(16, FabricKind::kMultiPlaneFatTree);
  mp.fabric.planes = 2;
  const Topology m(mp);
  EXPECT_EQ(m.num_pods(), 8);
  EXPECT_EQ(m.pod_of(8 * 5 + 1), 4 + 1);
  EXPECT_EQ(m.pod_of(8 * 5 + 0), 1);
  EXPECT_EQ(m.pod_of(8 * 8 + 1), 4 + 2);
  // Rail-optimized: leaves of 4 nodes per rail, ordered block-major into pods
  // of 4 leaves: node block 0's rails 0-3, its rails 4-7, block 1's ...
  const Topology r(small_switches(8, FabricKind::kRailOptimized));
  EXPECT_EQ(r.num_leaves(), 16);
  EXPECT_EQ(r.num_pods(), 4);
  EXPECT_EQ(r.pod_of(3), 0);
  EXPECT_EQ(r.pod_of(4), 1);
  EXPECT_EQ(r.pod_of(8 * 4 + 2), 2);
  EXPECT_EQ(r.pod_of(8 * 7 + 7), 3);
}

// By hand: fat-tree of 8-port switches, 3:1 oversubscribed at the aggregation
// layer: a pod holds floor(8 x 3 / 4) = 6 leaves (24 GPUs), and its up-link
// carries 6 leaves x 200 GB/s / 3 = 400 GB/s. Every GPU of pod 0 sends 8 MB
// to its peer 24 GPUs on, in pod 1: 24 flows through pod 0's up-link, 16.67
// GB/s each (their NICs and leaf up-links allow 50). Latency: the NIC hops
// share 2.8/3.7 of the cluster's 2 us, each switch up-link hop (leaf or
// pod) 0.45/3.7 of it: 2 + 2 x 0.9/3.7 = 2.486 us.
TEST(ThreeTier, ACrossPodFlowByHand) {
  const ClusterSpec c = small_switches(8, FabricKind::kFatTree, 3.0);
  const Topology t(c);
  ASSERT_EQ(t.leaves_per_pod(), 6);
  EXPECT_EQ(names(t, t.route(0, 24)),
            (std::vector<std::string>{"nic0", "leaf0", "pod0", "pod1", "leaf6", "nic24"}));
  EXPECT_EQ(names(t, t.route(0, 20)),
            (std::vector<std::string>{"nic0", "leaf0", "leaf5", "nic20"}));
  EXPECT_EQ(t.route(0, 24), [&] {
    auto r = t.up(0);
    for (const LinkHop& h : t.down(24)) r.push_back(h);
    return r;
  }());
  EXPECT_FALSE(t.needs_own_route(0, 24));
  EXPECT_TRUE(t.needs_own_route(0, 20));  // same pod, another leaf
  const TopologyLink& pod0 = t.links()[static_cast<size_t>(t.up(0).back().link)];
  EXPECT_EQ(pod0.name, "pod0");
  EXPECT_DOUBLE_EQ(gb_per_s(pod0.bandwidth), 400);
  const double cross_pod_us = 2 + 2 * 0.9 / 3.7;
  EXPECT_NEAR(seconds(latency(t, 0, 24)) * 1e6, cross_pod_us, 1e-9);
  EXPECT_NEAR(seconds(latency(t, 0, 20)) * 1e6, 2.0, 1e-9);
  EXPECT_NEAR(seconds(latency(t, 0, 1)) * 1e6, 1.0, 1e-9);  // same node: NVLink

  const double bytes = 8e6;
  const double expect_s = bytes / (400e9 / 24) + cross_pod_us * 1e-6;
  std::vector<Flow> flows;
  for (int g = 0; g < 24; ++g)
    flows.push_back({g, g + 24, ByteCount(bytes), static_cast<uint64_t>(g)});
  for (const auto& net : {make_network(c), make_fast_network(c)}) {
    const auto r = net->run(flows);
    for (const FlowResult& f : r) EXPECT_NEAR(seconds(f.finish), expect_s, 1e-9 * expect_s);
  }
}

TEST(ThreeTier, RoceLatenciesFromIscaTable5) {
  // 16,384 H100 of a RoCE fat-tree of 128-port switches: 256 leaves of 64,
  // pods of 64 leaves (4,096 GPUs). Same leaf 3.6 us, across leaves 5.6 us
  // (ISCA Table 5), across pods 5.6 + 2 x 1.0 = 7.6 us (derived); within a
  // node NVLink.
  ClusterSpec c = default_cluster(*find_gpu("H100"), 2048);
  c.fabric.kind = FabricKind::kFatTree;
  set_transport(c, FabricTransport::kRoce);
  EXPECT_EQ(c.fabric.switch_ports, 128);
  EXPECT_TRUE(topology_problems(c).empty());
  const Topology t(c);
  EXPECT_EQ(t.gpus_per_leaf(), 64);
  EXPECT_EQ(t.num_pods(), 4);
  EXPECT_NEAR(seconds(latency(t, 0, 8)) * 1e6, 3.6, 1e-9);
  EXPECT_NEAR(seconds(latency(t, 0, 64)) * 1e6, 5.6, 1e-9);
  EXPECT_NEAR(seconds(latency(t, 0, 4096)) * 1e6, 7.6, 1e-9);
  EXPECT_NEAR(seconds(latency(t, 0, 1)) * 1e6, 3.33, 1e-9);
  // The NIC bandwidth is the GPU's, whatever the transport.
  EXPECT_EQ(c.ib_achievable, default_cluster(*find_gpu("H100"), 2048).ib_achievable);
}

TEST(ThreeTier, TwoLayerClustersIgnoreTheAggregationLayer) {
  // Clusters that fit two layers: the same links and routes whatever the
  // aggregation oversubscription (no pod link exists).
  for (const ClusterSpec& base :
       {probe_cluster(64, FabricKind::kMultiPlaneFatTree), small_switches(4, FabricKind::kFatTree),
        probe_cluster(4, FabricKind::kRailOptimized)}) {
    ClusterSpec other = base;
    other.fabric.aggregation_oversubscription = 4.0;
    const Topology a(base), b(other);
    EXPECT_EQ(a.num_pods(), 0);
    ASSERT_EQ(a.links().size(), b.links().size());
    ASSERT_EQ(a.links().size(), static_cast<size_t>(2 * a.num_gpus() + a.num_leaves()));
    for (size_t i = 0; i < a.links().size(); ++i) {
      EXPECT_EQ(a.links()[i].name, b.links()[i].name);
      EXPECT_EQ(a.links()[i].bandwidth, b.links()[i].bandwidth);
      EXPECT_EQ(a.links()[i].latency, b.links()[i].latency);
    }
    for (int s = 0; s < a.num_gpus(); s += 7)
      for (int d = 0; d < a.num_gpus(); d += 5) {
        if (s == d) continue;
        EXPECT_EQ(a.route(s, d), b.route(s, d));
      }
  }
}

TEST(ThreeTier, ThreeTiersHoldAtMostOnePodPerCorePort) {
  // 8-port switches: 8 pods of 4 leaves of 4 GPUs = 128 GPUs (16 nodes).
  ClusterSpec c = small_switches(16, FabricKind::kFatTree);
  EXPECT_TRUE(topology_problems(c).empty());
  c.num_nodes = 17;
  const auto p = topology_problems(c);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("at most 8 pods of 4 leaves"), std::string::npos) << p[0];
  EXPECT_NE(p[0].find("a fourth switch layer is not modeled"), std::string::npos) << p[0];
  // An oversubscribed aggregation layer holds more leaves per pod: 6 x 8 x 4.
  c.fabric.aggregation_oversubscription = 3.0;
  EXPECT_TRUE(topology_problems(c).empty());
}

TEST(ThreeTier, ShiftSymmetryMovesWholePods) {
  // 128 GPUs in 8 pods of 16: a shift by less than a pod maps a pod onto
  // itself (not free); by one pod it is free.
  const Topology t(small_switches(16, FabricKind::kFatTree));
  const Topology::ShiftSymmetry s = t.shift_symmetry(128);
  EXPECT_EQ(s.block, 16);
  EXPECT_EQ(s.copies, 8);
  const NcclResult every =
      run_nccl_fast(t, NcclCollective::kAllToAll, first_gpus(128), MB(64), false);
  const NcclResult sym = run_nccl_fast(t, NcclCollective::kAllToAll, first_gpus(128), MB(64));
  EXPECT_EQ(sym.symmetry_copies, 8);
  EXPECT_NEAR(seconds(sym.time), seconds(every.time), 1e-12 * seconds(every.time));
  for (int i = 0; i < 128; ++i)
    EXPECT_NEAR(seconds(sym.rank_time[i]), seconds(every.rank_time[i]),
                1e-12 * seconds(every.time));
}

}  // namespace
}  // namespace moesim
