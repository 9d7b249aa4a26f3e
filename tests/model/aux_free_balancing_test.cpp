// Auxiliary-loss-free balancing: from a Zipf start the sign rule brings the
// EP ranks to near balance, faster with a larger gamma, oscillating by about
// gamma once there (V3TR §2.1.2: gamma is the bias update speed).
#include "sim/model/aux_free_balancing.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/model/routing.h"
#include "tests/model/test_models.h"

namespace moesim {
namespace {

TEST(AuxFreeBalancing, ConvergesFromZipfAtARateSetByGamma) {
  const std::vector<double> w = testing::zipf_popularity(256, 1.0);
  const BalancingRun slow = simulate_aux_free_balancing(w, 8, 64, 0.001, 12000);
  const BalancingRun fast = simulate_aux_free_balancing(w, 8, 64, 0.01, 1200);
  EXPECT_GT(slow.imbalance.front(), 5.0);  // Zipf(1) on contiguous ranks: rank 0 is hot
  const int s = slow.steps_to(1.05), f = fast.steps_to(1.05);
  ASSERT_GT(s, 0);
  ASSERT_GT(f, 0);
  // Ten times gamma, about a tenth of the steps: the bias moves gamma a step
  // and the hottest expert must shed about log of its excess.
  EXPECT_NEAR(static_cast<double>(s) / f, 10.0, 2.0) << s << " vs " << f;
  // By hand: the hottest expert needs roughly log(w_0 / w_mean-ish) / gamma
  // steps; log(256 / H(256)) = 3.7 nats, so thousands of steps at 0.001.
  EXPECT_GT(s, 1000);
  EXPECT_LT(s, 8000);
  // Near balance at the end, closer with the smaller gamma.
  EXPECT_LT(slow.imbalance.back(), 1.02);
  EXPECT_LT(fast.imbalance.back(), 1.1);
  // No updates, no change.
  const BalancingRun none = simulate_aux_free_balancing(w, 8, 64, 0.0, 10);
  EXPECT_DOUBLE_EQ(none.imbalance.back(), none.imbalance.front());
  EXPECT_EQ(none.steps_to(1.05), -1);
}

// What a run prices: the same dynamics, stopped once the imbalance no longer
// moves. Without updates that is at once (the window's 100 steps); with them,
// after the transient, near balance, with the steps repeated up to then.
TEST(AuxFreeBalancing, StopsOnceSteady) {
  const std::vector<double> w = testing::zipf_popularity(256, 1.0);
  const BalancingRun frozen = balance_until_steady(w, 8, 64, 0.0, 100000);
  EXPECT_TRUE(frozen.steady);
  EXPECT_EQ(frozen.imbalance.size(), 100u);
  const BalancingRun run = balance_until_steady(w, 8, 64, 0.003, 100000);
  ASSERT_TRUE(run.steady);
  EXPECT_LT(run.imbalance.size(), 20000u);
  EXPECT_LT(run.imbalance.back(), 1.03);
  const BalancingRun full = simulate_aux_free_balancing(w, 8, 64, 0.003, static_cast<int>(run.imbalance.size()));
  EXPECT_EQ(full.imbalance, run.imbalance);  // the same steps, only fewer of them
  EXPECT_EQ(run.steps_to(1.05), full.steps_to(1.05));
  // A cap below the transient: not steady, and it says so.
  const BalancingRun capped = balance_until_steady(w, 8, 64, 0.003, 300);
  EXPECT_FALSE(capped.steady);
  EXPECT_EQ(capped.imbalance.size(), 300u);
}

}  // namespace
}  // namespace moesim
