#include "sim/cost/comm_model.h"

#include <gtest/gtest.h>

#include "tests/model/test_models.h"

namespace moesim {

TEST(CommModel, DistinctBinsMatchesHandCounts) {
  // One draw always hits one bin; drawing everything hits all bins.
  EXPECT_DOUBLE_EQ(expected_distinct_bins(8, 32, 1), 1.0);
  EXPECT_DOUBLE_EQ(expected_distinct_bins(4, 2, 8), 4.0);
  // Two bins of one item, one draw of two: both hit.
  EXPECT_DOUBLE_EQ(expected_distinct_bins(2, 1, 2), 2.0);
  // 2 bins x 2 items, 2 draws: P(bin empty) = C(2,2)/C(4,2) = 1/6.
  EXPECT_NEAR(expected_distinct_bins(2, 2, 2), 2.0 * (1.0 - 1.0 / 6.0), 1e-12);
}

TEST(CommModel, DeepSeekV3NodeLimitedRoutingReachesAtMostFourNodes) {
  ModelSpec m = testing::deepseek_v3();
  ClusterSpec c = default_cluster(*find_gpu("H800"), 8);
  EpFanout f = ep_fanout(m, c, 64);
  EXPECT_EQ(f.nodes, 8);
  EXPECT_LE(f.distinct_nodes, 4.0);  // V3TR §2.1.2: M = 4 nodes
  EXPECT_GT(f.distinct_nodes, 3.0);
  EXPECT_NEAR(f.remote_nodes, f.distinct_nodes * 7.0 / 8.0, 1e-12);
  // Intra-node EP sends nothing over IB.
  EpFanout f8 = ep_fanout(m, c, 8);
  EXPECT_EQ(f8.nodes, 1);
  EXPECT_EQ(f8.remote_nodes, 0.0);
  EXPECT_GT(f8.nvlink_gpus, 1.0);
}

// Expert tensor parallelism: an EP group's ranks stand etp GPUs apart, so
// EP8 x ETP2 on 8-GPU nodes spans two nodes and sends over IB, where EP8
// alone stays in one node.
TEST(CommModel, ExpertTensorParallelSpreadsAnEpGroupOverMoreNodes) {
  EXPECT_EQ(ep_group_nodes(8, 1, 8), 1);
  EXPECT_EQ(ep_group_nodes(8, 2, 8), 2);
  EXPECT_EQ(ep_group_nodes(64, 1, 8), 8);
  EXPECT_EQ(ep_group_nodes(64, 2, 8), 16);
  EXPECT_EQ(ep_group_nodes(4, 1, 8), 1);
  EXPECT_EQ(ep_group_nodes(8, 16, 8), 8);  // a node per rank at most
  ModelSpec m = testing::deepseek_v3();
  ClusterSpec c = default_cluster(*find_gpu("H800"), 8);
  const EpFanout alone = ep_fanout(m, c, 8);
  const EpFanout etp2 = ep_fanout(m, c, 8, 2);
  EXPECT_EQ(etp2.nodes, 2);
  // 8 expert groups over 2 nodes: no node limit; 8 picks of 256 experts,
  // 128 a node.
  EXPECT_NEAR(etp2.distinct_nodes, expected_distinct_bins(2, 128, 8), 1e-12);
  EXPECT_NEAR(etp2.remote_nodes, etp2.distinct_nodes / 2, 1e-12);
  EXPECT_EQ(alone.remote_nodes, 0.0);  // the whole group in one node: NVLink only
  // Half the group's GPUs in each node: fewer NVLink copies, and IB now carries
  // one per remote node (the call is bound by the slower of the two).
  EXPECT_LT(etp2.nvlink_gpus, alone.nvlink_gpus);
  EXPECT_GT(seconds(ep_transfer_time(etp2, 4096, m.hidden, 1.0, c)), 0.0);
  // Without ETP the fan-out is what it was.
  const EpFanout f64 = ep_fanout(m, c, 64, 1);
  EXPECT_EQ(f64.nodes, 8);
  EXPECT_EQ(f64.nvlink_gpus, ep_fanout(m, c, 64).nvlink_gpus);
}

TEST(CommModel, TransferIsBoundByTheSlowerLink) {
  ClusterSpec c = default_cluster(*find_gpu("H800"), 8);
  EpFanout f;
  f.remote_nodes = 2;
  f.nvlink_gpus = 0;
  // 1000 tokens x 1000 B x 2 nodes = 2 MB over 40 GB/s = 50 us + latency.
  Seconds t = ep_transfer_time(f, 1000, 1000, 1.0, c);
  EXPECT_NEAR(seconds(t), 2e6 / 40e9 + seconds(c.ib_latency), 1e-12);
}

TEST(CommModel, RingCollective) {
  EXPECT_EQ(ring_collective_time(GB(1), 1, GBPerSecond(10), Microseconds(1)), Seconds());
  // (n-1)/n x bytes / bw + (n-1) latency.
  EXPECT_NEAR(seconds(ring_collective_time(GB(8), 4, GBPerSecond(10), Microseconds(1))),
              0.75 * 0.8 + 3e-6, 1e-12);
}

}  // namespace moesim
