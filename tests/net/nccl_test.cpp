#include <gtest/gtest.h>

#include <cstdio>

#include "sim/net/nccl_collectives.h"
#include "tests/net/net_support.h"

namespace moesim {
namespace {

using testing::first_gpus;
using testing::probe_cluster;

TEST(Nccl, RingStepsAggregatedEqualTheExplicitSteps) {
  // The ring is simulated as one step repeated; here its 15 steps run as 15
  // phases of their own and must give the same time.
  auto net = make_network(probe_cluster(2, FabricKind::kMultiPlaneFatTree));
  const auto gpus = first_gpus(16);
  for (NcclCollective k : {NcclCollective::kAllGather, NcclCollective::kAllReduceRing}) {
    const CollectiveFlows f = nccl_flows(net->topology(), k, gpus, MB(64));
    const std::vector<std::vector<Flow>> phases(f.steps, f.step);
    const Seconds explicit_time = net->run_phases(phases).makespan();
    const NcclResult r = run_nccl(*net, k, gpus, MB(64));
    std::printf("%s, 16 GPUs: %d steps, %.6f ms explicit, %.6f ms aggregated\n", to_string(k),
                f.steps, seconds(explicit_time) * 1e3, seconds(r.time) * 1e3);
    EXPECT_NEAR(seconds(r.time) / seconds(explicit_time), 1.0, 1e-12);
  }
}

TEST(Nccl, RingBusBandwidthIsTheBottleneckLink) {
  // One node: every ring step moves size / 8 over each 400 GB/s NVLink port.
  auto one = make_network(probe_cluster(1, FabricKind::kMultiPlaneFatTree));
  const NcclResult a = run_nccl(*one, NcclCollective::kAllReduceRing, first_gpus(8), GB(1));
  EXPECT_NEAR(gb_per_s(a.busbw) / 400, 1.0, 0.01);
  // Two nodes, 8 rings: each NIC carries one ring's crossing (size / 128 per
  // step at 50 GB/s) and each NVLink port size / 16 at 400 GB/s: both bind,
  // busbw = 8 NICs x 50 GB/s, less the 2.5 us route latency each step pays
  // (1.6% of a 156 us step).
  auto two = make_network(probe_cluster(2, FabricKind::kMultiPlaneFatTree));
  const NcclResult b = run_nccl(*two, NcclCollective::kAllReduceRing, first_gpus(16), GB(1));
  EXPECT_EQ(nccl_rings(two->topology(), first_gpus(16)).size(), 8u);
  EXPECT_NEAR(gb_per_s(b.busbw) / 400, 1.0, 0.02);
  const NcclResult rs = run_nccl(*two, NcclCollective::kReduceScatter, first_gpus(16), GB(1));
  EXPECT_NEAR(gb_per_s(rs.busbw) / 400, 1.0, 0.02);
  EXPECT_EQ(rs.steps, 15);
  std::printf("ring all-reduce busbw: 1 node %.1f GB/s, 2 nodes %.1f GB/s; reduce-scatter %.1f\n",
              gb_per_s(a.busbw), gb_per_s(b.busbw), gb_per_s(rs.busbw));
}

TEST(Nccl, AllToAllAndSendRecvFollowTheNics) {
  auto net = make_network(probe_cluster(2, FabricKind::kMultiPlaneFatTree));
  // Each GPU sends size / 2 across nodes through its 50 GB/s NIC.
  const NcclResult a = run_nccl(*net, NcclCollective::kAllToAll, first_gpus(16), GB(1));
  EXPECT_NEAR(gb_per_s(a.algbw) / 100, 1.0, 0.01);
  EXPECT_NEAR(gb_per_s(a.busbw) / (100 * 15.0 / 16), 1.0, 0.01);
  // A pipeline boundary: GPU 3 of node 0 and GPU 3 of node 1, both ways.
  const NcclResult p = run_nccl(*net, NcclCollective::kSendRecv, {3, 11}, GB(1));
  EXPECT_NEAR(gb_per_s(p.busbw) / 50, 1.0, 0.01);
  EXPECT_EQ(p.rank_time.size(), 2u);
}

TEST(Nccl, TreeAllReduceUsesEveryNic) {
  // 4 nodes, 8 channels: a channel's endpoints (one GPU per node, one plane)
  // exchange size / 16 per tree edge each way; a node has at most 3 edges over
  // both trees, so its NIC moves 3/16 of the size each way: faster than the
  // ring, whose NICs move 2(n-1)/n x size / 8.
  auto net = make_network(probe_cluster(4, FabricKind::kMultiPlaneFatTree));
  const NcclResult tree = run_nccl(*net, NcclCollective::kAllReduceTree, first_gpus(32), GB(1));
  const NcclResult ring = run_nccl(*net, NcclCollective::kAllReduceRing, first_gpus(32), GB(1));
  std::printf("32 GPUs, 1 GB: tree %.3f ms (busbw %.1f), ring %.3f ms (busbw %.1f)\n",
              seconds(tree.time) * 1e3, gb_per_s(tree.busbw), seconds(ring.time) * 1e3,
              gb_per_s(ring.busbw));
  EXPECT_GT(tree.time, Seconds());
  EXPECT_LT(tree.time, ring.time * 1.05);
  EXPECT_EQ(tree.steps, 1);
}

TEST(Nccl, NamesAndBusFactors) {
  for (const std::string& name : nccl_collective_names()) {
    NcclCollective k{};
    ASSERT_TRUE(nccl_collective_from_string(name, &k));
    EXPECT_EQ(name, to_string(k));
  }
  NcclCollective k{};
  EXPECT_FALSE(nccl_collective_from_string("allreduce", &k));
  EXPECT_DOUBLE_EQ(nccl_bus_factor(NcclCollective::kAllReduceRing, 8), 1.75);
  EXPECT_DOUBLE_EQ(nccl_bus_factor(NcclCollective::kAllGather, 8), 0.875);
  EXPECT_DOUBLE_EQ(nccl_bus_factor(NcclCollective::kSendRecv, 8), 1.0);
}

}  // namespace
}  // namespace moesim
