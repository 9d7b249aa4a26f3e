// The routing model in the step: balanced costs nothing, a skewed histogram
// sizes the expert block and the EP calls for the busiest EP rank.
#include "sim/cost/expert_load.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/cost/estimate.h"
#include "sim/cost/stage_cost.h"
#include "sim/scenario/scenario_json.h"

namespace moesim {
namespace {

Scenario headline() {
  return load_scenario(std::string(MOESIM_SOURCE_DIR) +
                       "/scenarios/deepseek-v3-pretrain-2048xH800.json");
}

// Weight on the experts of the first half of the EP64 group (experts 0..127,
// ranks 0..31, expert groups 0..3), none on the rest.
RoutingSpec half_the_ranks() {
  RoutingSpec r;
  r.popularity = ExpertPopularity::kHistogram;
  r.expert_weights.assign(256, 0.0);
  for (int e = 0; e < 128; ++e) r.expert_weights[e] = 1.0;
  return r;
}

double choose(int n, int k) {
  double c = 1;
  for (int i = 0; i < k; ++i) c = c * (n - i) / (i + 1);
  return c;
}

TEST(ExpertLoad, UniformIsExactlyBalancedAndSamplesNothing) {
  const Scenario s = headline();
  const ExpertLoad l = scenario_expert_load(s, 4096);
  EXPECT_EQ(l.compute, 1.0);
  EXPECT_EQ(l.receive, 1.0);
}

// By hand: the four weighted expert groups (0..3, ranks 0..31) are always the
// four a token chooses, and its 8 experts are uniform among their 128. Each of
// those ranks runs twice the mean rows (sampling noise aside). A rank receives
// a token when any of the token's 8 experts is among its 4: p = 1 - C(124,8) /
// C(128,8) here; balanced, the rank's group is chosen with probability 4/8 and
// then the same p, so the busiest rank receives 2x the mean too.
TEST(ExpertLoad, HalfTheRanksCarryTwiceTheRowsAsComputedByHand) {
  Scenario s = headline();
  s.training.routing = half_the_ranks();
  ASSERT_TRUE(validate_scenario(s, ScenarioSources{}).empty());
  const ExpertLoad l = scenario_expert_load(s, 4096);
  EXPECT_NEAR(l.compute, 2.0, 0.03);
  EXPECT_LT(l.busiest_rank, 32);
  const double p = 1 - choose(124, 8) / choose(128, 8);
  EXPECT_NEAR(l.receive, p / (0.5 * p), 0.03);
}

// The expert block is sized for the busiest rank: its routed ops (grouped
// GEMMs, their casts, SwiGLU, permutes) scale with the rows, the shared expert
// does not; the EP calls scale with the received tokens. The step is slower.
TEST(ExpertLoad, TheStepPricesTheBusiestRank) {
  const Scenario even = headline();
  Scenario skew = even;
  skew.training.routing = half_the_ranks();
  const ExpertLoad l = scenario_expert_load(skew, 4096);
  const UnitCost a = price_stages(even, 16, 4096, false).units.moe;
  const UnitCost b = price_stages(skew, 16, 4096, false).units.moe;
  // Shared-expert forward, unchanged by routing: from the op graph.
  ComputeModel cm(even.cluster.gpu, efficiency_table(even.cluster), true, 0);
  Seconds shared;
  for (const Op& op : expand_layer(even.model, LayerKind::kMoe, expand_context(even, 4096)).ops)
    if (op.name.rfind("moe.shared.", 0) == 0) shared += cm.time(op, Pass::kForward);
  const Seconds routed = a.expert_fwd - shared;
  EXPECT_NEAR(seconds(b.expert_fwd - shared) / seconds(routed), l.compute, 0.01 * l.compute);
  EXPECT_NEAR(b.ep_dispatch / a.ep_dispatch, l.receive, 1e-9);
  EXPECT_EQ(a.fwd - a.expert_fwd, b.fwd - b.expert_fwd);  // attention: no change
  EXPECT_GT(estimate(skew).step_time, estimate(even).step_time);
  // The report says what it assumed.
  bool said = false;
  for (const std::string& c : estimate(skew).caveats) said = said || c.find("histogram") != std::string::npos;
  EXPECT_TRUE(said);
}

// Redundant experts on a skewed routing: the busiest GPU runs fewer rows, so
// the step is faster, and every GPU holds the extra copies.
TEST(ExpertLoad, RedundantExpertsEvenOutAZipfLoad) {
  Scenario skew = headline();
  skew.training.routing.popularity = ExpertPopularity::kZipf;
  skew.training.routing.zipf_exponent = 0.6;
  Scenario eplb = skew;
  eplb.plan.redundant_experts = 64;
  ASSERT_TRUE(validate_scenario(eplb, ScenarioSources{}).empty());
  const ExpertLoad a = scenario_expert_load(skew, 4096), b = scenario_expert_load(eplb, 4096);
  EXPECT_GT(a.compute, 3.0);
  EXPECT_LT(b.compute, a.compute / 2);
  EXPECT_LT(estimate(eplb).step_time, estimate(skew).step_time);
  const UnitCost x = price_stages(skew, 16, 4096, false).units.moe;
  const UnitCost y = price_stages(eplb, 16, 4096, false).units.moe;
  EXPECT_NEAR(y.params_expert / x.params_expert, (256.0 + 64) / 256, 1e-12);
  // Balanced routing with copies: no sampling, EPLB on equal loads.
  Scenario flat = headline();
  flat.plan.redundant_experts = 64;
  EXPECT_NEAR(scenario_expert_load(flat, 4096).compute, 1.0, 0.3);
  Scenario bad = headline();
  bad.plan.redundant_experts = 10;
  EXPECT_FALSE(validate_scenario(bad, ScenarioSources{}).empty());
}

}  // namespace
}  // namespace moesim
