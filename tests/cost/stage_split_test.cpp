#include "sim/cost/stage_split.h"

#include <gtest/gtest.h>

#include <numeric>

namespace moesim {

TEST(StageSplit, SixtyOneLayersOverSixteenStagesIsUnevenButComplete) {
  std::vector<double> cost(61, 1.0);
  StageSplit s = balanced_split(cost, 16, 0.0, 0.0);
  ASSERT_EQ(s.layers.size(), 16u);
  EXPECT_EQ(std::accumulate(s.layers.begin(), s.layers.end(), 0), 61);
  for (int n : s.layers) {
    EXPECT_GE(n, 3);
    EXPECT_LE(n, 4);
  }
  EXPECT_EQ(s.first_layer(1), s.layers[0]);
}

TEST(StageSplit, HeavyLastStageGetsFewerLayers) {
  std::vector<double> cost(61, 1.0);
  StageSplit s = balanced_split(cost, 16, 0.1, 3.0);
  EXPECT_EQ(std::accumulate(s.layers.begin(), s.layers.end(), 0), 61);
  EXPECT_LT(s.layers.back(), s.layers[1]);
  EXPECT_GE(s.layers.back(), 1);
  double worst = 0;
  int layer = 0;
  for (size_t i = 0; i < s.layers.size(); ++i) {
    double w = (i == 0 ? 0.1 : 0) + (i + 1 == s.layers.size() ? 3.0 : 0);
    for (int j = 0; j < s.layers[i]; ++j) w += cost[layer++];
    worst = std::max(worst, w);
  }
  // A lower bound on any split: (61 + 3.1) / 16 rounded up to whole layers.
  EXPECT_LE(worst, 5.0 + 1e-9);
}

TEST(StageSplit, CheapDenseLayersPackTighter) {
  std::vector<double> cost = {0.5, 0.5, 0.5, 1, 1, 1, 1, 1};
  StageSplit s = balanced_split(cost, 3, 0, 0);
  EXPECT_EQ(std::accumulate(s.layers.begin(), s.layers.end(), 0), 8);
  EXPECT_GE(s.layers[0], 3);  // the three cheap layers share a stage
}

}  // namespace moesim

namespace moesim {

TEST(StageSplit, PairSplitBalancesRanksForDualPipe) {
  // 61 equal layers, 16 stages on 8 ranks; the last stage also carries 3
  // layers' worth of head and MTP, paired on rank 0 with the embedding stage.
  std::vector<double> cost(61, 1.0);
  StageSplit s = balanced_pair_split(cost, 16, 0.1, 3.0);
  ASSERT_EQ(s.layers.size(), 16u);
  EXPECT_EQ(std::accumulate(s.layers.begin(), s.layers.end(), 0), 61);
  double worst = 0;
  for (int r = 0; r < 8; ++r) {
    double w = s.layers[r] + s.layers[15 - r] + (r == 0 ? 3.1 : 0.0);
    worst = std::max(worst, w);
    EXPECT_GE(s.layers[r], 1);
    EXPECT_GE(s.layers[15 - r], 1);
  }
  // (61 + 3.1) / 8 = 8.01: the best any split of whole layers can do is 9.
  EXPECT_LE(worst, 9.0 + 1e-9);
}

}  // namespace moesim
