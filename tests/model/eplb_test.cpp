// EPLB's placement: every expert kept, copies where the load is, the busiest
// GPU lighter than without copies, groups kept on their node.
#include "sim/model/eplb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "sim/model/routing.h"
#include "tests/model/test_models.h"

namespace moesim {
namespace {

TEST(Eplb, EveryExpertKeptAndEveryGpuFull) {
  const std::vector<double> load = testing::zipf_popularity(256, 1.0);
  const ExpertPlacement p = eplb_placement(load, 8, 8, 64, 64);
  EXPECT_TRUE(p.hierarchical);
  int copies = 0;
  for (int r : p.replicas) {
    EXPECT_GE(r, 1);
    copies += r;
  }
  EXPECT_EQ(copies, 256 + 64);
  std::map<int, int> held;
  for (const auto& g : p.gpu_experts) {
    EXPECT_EQ(g.size(), 5u);  // (256 + 64) / 64
    for (int e : g) ++held[e];
  }
  for (int e = 0; e < 256; ++e) EXPECT_EQ(held[e], p.replicas[e]) << e;
  // The hottest expert has the most copies.
  for (int r : p.replicas) EXPECT_LE(r, p.replicas[0]);
}

// The policy's promise: copies of the hottest experts lower the busiest GPU's
// load, down to what the policy allows. Hierarchical keeps each group on its
// node, so the heaviest group's node bounds it from below (Zipf(1): group 0
// carries H(32)/H(256) of the load on 8 of the 64 GPUs); one domain (global)
// spreads copies anywhere and gets near balance. A balanced load stays balanced.
TEST(Eplb, RedundantExpertsLowerTheBusiestGpu) {
  const std::vector<double> load = testing::zipf_popularity(256, 1.0);
  std::vector<double> contiguous(64, 0.0);
  for (int e = 0; e < 256; ++e) contiguous[e / 4] += load[e];
  const double before = max_over_mean(contiguous);
  const double none = max_over_mean(eplb_placement(load, 8, 8, 64, 0).gpu_load(load));
  const double some = max_over_mean(eplb_placement(load, 8, 8, 64, 64).gpu_load(load));
  double group0 = 0, total = 0;
  for (int e = 0; e < 256; ++e) (e < 32 ? group0 : total) += load[e];
  total += group0;
  const double floor = group0 / total * 8;  // node 0's share over 1/8 of the GPUs
  EXPECT_LT(none, before);  // packing alone spreads the hot experts over node 0
  EXPECT_LT(some, none);
  EXPECT_GE(some, floor * (1 - 1e-9));
  EXPECT_NEAR(some, floor, 0.01 * floor);
  const double global_some = max_over_mean(eplb_placement(load, 8, 1, 64, 64).gpu_load(load));
  const double global_more = max_over_mean(eplb_placement(load, 8, 1, 64, 256).gpu_load(load));
  EXPECT_LT(global_some, some);
  EXPECT_LE(global_more, global_some);
  EXPECT_LT(global_more, 1.5);
  const std::vector<double> flat(256, 1.0);
  EXPECT_DOUBLE_EQ(max_over_mean(eplb_placement(flat, 8, 8, 64, 0).gpu_load(flat)), 1.0);
}

// Hierarchical: a group's experts and all their copies live on one node.
TEST(Eplb, HierarchicalKeepsEachGroupOnOneNode) {
  const std::vector<double> load = testing::zipf_popularity(256, 0.8);
  const ExpertPlacement p = eplb_placement(load, 8, 8, 64, 64);
  std::map<int, int> node_of_group;
  for (int g = 0; g < 64; ++g)
    for (int e : p.gpu_experts[g]) {
      const int group = e / 32, node = g / 8;
      if (!node_of_group.count(group)) node_of_group[group] = node;
      EXPECT_EQ(node_of_group[group], node) << "expert " << e;
    }
  // Not divisible by the nodes: global placement.
  EXPECT_FALSE(eplb_placement(testing::zipf_popularity(12, 1.0), 3, 2, 4, 0).hierarchical);
}

TEST(Eplb, ProblemsNameWhatDoesNotDivide) {
  EXPECT_TRUE(eplb_problems(256, 8, 8, 64, 64).empty());
  const auto p = eplb_problems(256, 8, 8, 64, 10);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("266 physical experts do not divide over 64 GPUs"), std::string::npos);
  EXPECT_FALSE(eplb_problems(256, 8, 8, 64, -1).empty());
}

}  // namespace
}  // namespace moesim
