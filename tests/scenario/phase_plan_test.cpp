// Per-phase plans and context parallelism in the scenario format (issue 16):
// a phase's "plan" keys taken over the scenario's plan, every plan check run
// on the result and reported at the phase, and the CP rules.
#include <gtest/gtest.h>

#include "sim/scenario/scenario_json.h"
#include "tests/scenario/test_support.h"

namespace moesim {
namespace {

using test::has_error;
using test::headline_inline;
using test::json;
using test::parse_errors;

// The headline with a second phase: 32K sequences, 1,920 per step (V3TR
// §4.3), on CP4 x DP32 instead of DP128.
json with_context_phase(const json& plan) {
  json j = headline_inline();
  j["training"]["phases"].push_back(
      json{{"name", "32K"}, {"steps", 1000}, {"seq_len", 32768}, {"global_batch", 1920},
           {"plan", plan}});
  return j;
}

TEST(PhasePlan, KeysAreTakenOverTheScenariosPlan) {
  const Scenario s = parse_scenario(with_context_phase({{"cp", 4}, {"dp", 32}}), "test.json",
                                    test::source_path("scenarios"));
  ASSERT_EQ(s.training.phases.size(), 2u);
  EXPECT_FALSE(s.training.phases[0].plan.has_value());
  ASSERT_TRUE(s.training.phases[1].plan.has_value());
  const ParallelPlan& p = *s.training.phases[1].plan;
  EXPECT_EQ(p.cp, 4);
  EXPECT_EQ(p.dp, 32);
  EXPECT_EQ(p.pp, s.plan.pp);            // kept from the scenario's plan
  EXPECT_EQ(p.ep, s.plan.ep);
  EXPECT_EQ(p.schedule, s.plan.schedule);
  EXPECT_EQ(p.recompute, s.plan.recompute);
  EXPECT_EQ(p.cp_kind, CpKind::kAllGather);  // the default
  EXPECT_EQ(&phase_plan(s, 0), &s.plan);
  EXPECT_EQ(phase_plan(s, 1), p);
  EXPECT_EQ(phase_scenario(s, 1).plan, p);
  EXPECT_EQ(phase_scenario(s, 1).training, s.training);
  EXPECT_EQ(p.tokens_per_gpu(32768), 8192);
  EXPECT_EQ(p.weight_replicas(), 128);
}

TEST(PhasePlan, MistakesAreNamedAtThePhasesPlan) {
  // A misspelt key, with the key it meant.
  auto d = parse_errors(with_context_phase({{"cp_knd", "ring"}}));
  EXPECT_TRUE(
      has_error(d, "/training/phases/1/plan/cp_knd", {"unknown key", "did you mean \"cp_kind\""}));
  // A bad value.
  d = parse_errors(with_context_phase({{"cp_kind", "ringg"}, {"cp", 4}, {"dp", 32}}));
  EXPECT_TRUE(has_error(d, "/training/phases/1/plan/cp_kind", {"ring"}));
  // The first phase runs on the scenario's plan.
  json first = headline_inline();
  first["training"]["phases"][0]["plan"] = {{"dp", 64}};
  d = parse_errors(first);
  EXPECT_TRUE(has_error(d, "/training/phases/0/plan", {"the first phase runs on the scenario's plan"}));
  // null removes an inherited key (a JSON merge patch): the default comes back.
  const Scenario removed = parse_scenario(
      with_context_phase({{"cp", 8}, {"dp", 16}, {"comm_sms", nullptr}}), "test.json",
      test::source_path("scenarios"));
  EXPECT_EQ(removed.training.phases[1].plan->comm_sms, 0);
  // Not an object.
  d = parse_errors(with_context_phase(json(4)));
  EXPECT_TRUE(has_error(d, "/training/phases/1/plan", {"expected an object", "found"}));
  // The GPU count: CP without taking it from DP.
  d = parse_errors(with_context_phase({{"cp", 4}}));
  EXPECT_TRUE(has_error(d, "/training/phases/1/plan",
                        {"pp 16 x dp 128 x tp 1 x cp 4 = 8192 GPUs", "2048 GPUs"}));
  // The phase's batch against its own plan: 1920 / 32 = 60 micro-batches
  // fits DualPipe; on DP128 it is 15, below 2 x pp.
  d = parse_errors(with_context_phase({{"cp", 1}}));
  EXPECT_TRUE(has_error(d, "/training/phases/1/plan/schedule",
                        {"dualpipe needs", "phase \"32K\"", "N = global_batch 1920"}));
}

TEST(PhasePlan, ContextParallelRules) {
  // EP is carved out of dp x tp x cp.
  auto d = parse_errors(with_context_phase({{"cp", 16}, {"dp", 8}, {"ep", 256}}));
  EXPECT_TRUE(has_error(d, "/training/phases/1/plan/ep", {"does not divide dp x tp x cp = 128"}));
  // 2 cp equal chunks per sequence.
  json j = with_context_phase({{"cp", 4}, {"dp", 32}});
  j["training"]["phases"][1]["seq_len"] = 32772;
  d = parse_errors(j);
  EXPECT_TRUE(has_error(d, "/training/phases/1/plan/cp",
                        {"cp 4 cuts each sequence into 2 x cp = 8 equal chunks", "32772"}));
  // In the scenario's own plan, the same rules at /plan.
  j = headline_inline();
  j["plan"]["cp"] = 0;
  d = parse_errors(j);
  EXPECT_TRUE(has_error(d, "/plan/cp", {"expected a positive integer"}));
  j = headline_inline();
  j["plan"]["cp"] = 2;
  j["plan"]["dp"] = 64;
  j["plan"]["cp_kind"] = "ring";
  EXPECT_TRUE(parse_errors(j).empty()) << parse_errors(j).to_string();
}

TEST(PhasePlan, ExpertTensorParallelRules) {
  json j = headline_inline();
  j["plan"]["etp"] = 4;
  j["plan"]["ep"] = 64;  // 64 x 4 = 256 does not divide dp 128
  auto d = parse_errors(j);
  EXPECT_TRUE(has_error(d, "/plan/etp", {"ep 64 x etp 4 = 256 does not divide dp x tp x cp = 128"}));
  j = headline_inline();
  j["plan"]["etp"] = 3;
  j["plan"]["ep"] = 32;
  j["plan"]["dp"] = 128;
  d = parse_errors(j);
  EXPECT_TRUE(has_error(d, "/plan/etp", {"etp 3 does not divide the experts' intermediate size 2048"}));
  j = headline_inline();
  j["plan"]["etp"] = 2;
  j["plan"]["ep"] = 32;
  EXPECT_TRUE(parse_errors(j).empty()) << parse_errors(j).to_string();
  j["plan"]["ep"] = 1;
  d = parse_errors(j);
  EXPECT_TRUE(has_error(d, "/plan/etp", {"needs ep > 1"}));
  // Sequence parallelism splits each GPU's tokens evenly over TP.
  j = headline_inline();
  j["plan"]["tp"] = 8;
  j["plan"]["dp"] = 16;
  j["plan"]["ep"] = 8;
  j["training"]["phases"][0]["seq_len"] = 4100;
  j["training"]["phases"][0]["global_batch"] = 1920;
  j["training"]["phases"][0].erase("batch_ramp");
  d = parse_errors(j);
  EXPECT_TRUE(has_error(d, "/plan/tp", {"tp 8 splits each GPU's 4100 tokens"}));
  // A phase may change it; a misspelling is named with the key it meant.
  d = parse_errors(with_context_phase({{"cp", 8}, {"dp", 16}, {"eptp", 2}}));
  EXPECT_TRUE(has_error(d, "/training/phases/1/plan/eptp", {"unknown key", "did you mean"}));
}

}  // namespace
}  // namespace moesim
