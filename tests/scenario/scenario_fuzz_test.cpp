// Deterministic fuzzing of the scenario parser. Starting from the headline
// scenario with its parts inlined, each case applies seeded mutations
// (tests/json_mutations.h) and requires that parsing either succeeds, with a
// scenario validate_scenario() accepts, or throws InputError with non-empty
// diagnostics: never another exception.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/scenario/scenario_json.h"
#include "sim/cost/estimate.h"
#include "tests/json_mutations.h"
#include "tests/scenario/test_support.h"

namespace moesim {
namespace {

using test::headline_inline;
using test::json;
using test::mutate_text;
using test::Rng;
using test::source_path;

constexpr int kStructuralCases = 5000;
constexpr int kTextCases = 3000;

struct Outcomes {
  int accepted = 0;
  int rejected = 0;
};

// Runs one case and checks that it ends in one of the two allowed ways.
void expect_clean(const std::function<Scenario()>& parse, const std::string& what, Outcomes& o) {
  try {
    const Scenario s = parse();
    const Diagnostics d = validate_scenario(s);
    EXPECT_TRUE(d.empty()) << what << ": parsed, but validate_scenario says\n" << d.to_string();
    ++o.accepted;
  } catch (const InputError& e) {
    EXPECT_FALSE(e.diagnostics().empty()) << what;
    EXPECT_FALSE(std::string(e.what()).empty()) << what;
    for (const auto& item : e.diagnostics().items()) {
      EXPECT_FALSE(item.message.empty()) << what;
      EXPECT_FALSE(item.file.empty()) << what;
    }
    ++o.rejected;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": unexpected exception: " << e.what();
  } catch (...) {
    ADD_FAILURE() << what << ": unexpected non-standard exception";
  }
}

// `cases` seeded mutations of `base` (depth 2), each ending cleanly; the
// first `most` accepted ones whose mutation mentions `about` are also
// estimated and handed to `check`. Returns how many were estimated.
int fuzz_and_estimate(const json& base, int cases, std::uint64_t seed, const std::string& about,
                      int most, const std::function<void(const Estimate&, const std::string&)>& check,
                      Outcomes& o) {
  const std::string dir = source_path("scenarios");
  int estimated = 0;
  for (int i = 0; i < cases; ++i) {
    std::string what;
    const json j = test::mutated_case(base, i, seed, 2, &what);
    expect_clean([&] { return parse_scenario(j, "fuzz.json", dir); }, what, o);
    if (estimated < most && what.find(about) != std::string::npos) {
      try {
        check(estimate(parse_scenario(j, "fuzz.json", dir)), what);
        ++estimated;
      } catch (const InputError&) {
      }
    }
  }
  return estimated;
}

TEST(ScenarioFuzz, StructuralMutationsEndInAScenarioOrAnInputError) {
  const json base = headline_inline();
  const std::string dir = source_path("scenarios");
  Outcomes o;
  for (int i = 0; i < kStructuralCases; ++i) {
    std::string what;
    const json j = test::mutated_case(base, i, 0x5CE0A210ull, 3, &what);
    expect_clean([&] { return parse_scenario(j, "fuzz.json", dir); }, what, o);
    if (i % 100 == 0) {  // the same input gives the same diagnostics
      std::string first, second;
      try {
        parse_scenario(j, "fuzz.json", dir);
      } catch (const InputError& e) {
        first = e.what();
      }
      try {
        parse_scenario(j, "fuzz.json", dir);
      } catch (const InputError& e) {
        second = e.what();
      }
      EXPECT_EQ(first, second) << what;
    }
  }
  EXPECT_GT(o.accepted, 50);
  EXPECT_GT(o.rejected, kStructuralCases / 2);
}

// The same with a routing model and redundant experts in the scenario, and
// the accepted ones estimated (the routing is sampled for those).
TEST(ScenarioFuzz, RoutingAndRedundantExpertMutationsEndInAScenarioOrAnInputError) {
  json base = headline_inline();
  base["training"]["routing"] = {{"popularity", "zipf"}, {"zipf_exponent", 0.5}, {"seed", 3}};
  base["plan"]["redundant_experts"] = 64;
  Outcomes o;
  const int estimated = fuzz_and_estimate(
      base, 300, 0x7E0A11ull, "routing", 5,
      [](const Estimate& e, const std::string& what) { EXPECT_GT(e.step_time, Seconds()) << what; },
      o);
  EXPECT_GT(o.accepted, 20);
  EXPECT_GT(o.rejected, 50);
  EXPECT_GT(estimated, 0);
}

// The keys of issue 16 (cp, cp_kind, etp, the fabric's transport and
// aggregation_oversubscription) and per-phase plans: the whole run's
// phases, each with a plan of its own, mutated; accepted ones are estimated
// (a phase's own plan priced on its own).
TEST(ScenarioFuzz, PhasePlanAndParallelismMutationsEndInAScenarioOrAnInputError) {
  json base = headline_inline();
  base["cluster"]["fabric"]["transport"] = "infiniband";
  base["cluster"]["fabric"]["aggregation_oversubscription"] = 1.0;
  base["plan"]["etp"] = 1;
  base["plan"]["cp"] = 1;
  base["plan"]["cp_kind"] = "ring";
  base["training"]["phases"].push_back(
      json{{"name", "32K"}, {"steps", 10}, {"seq_len", 32768}, {"global_batch", 1920},
           {"plan", {{"cp", 8}, {"dp", 16}, {"cp_kind", "all_gather_latent"}}}});
  base["training"]["phases"].push_back(
      json{{"name", "etp"}, {"steps", 10}, {"seq_len", 4096}, {"global_batch", 7680},
           {"plan", {{"tp", 2}, {"dp", 64}, {"etp", 2}, {"ep", 32}}}});
  Outcomes o;
  const int estimated = fuzz_and_estimate(
      base, 400, 0xC0E7A9ull, "plan", 8,
      [](const Estimate& e, const std::string& what) {
        EXPECT_GT(e.step_time, Seconds()) << what;
        for (const PhaseEstimate& p : e.phases) EXPECT_GT(p.step_time, Seconds()) << what;
      },
      o);
  EXPECT_GT(o.accepted, 20);
  EXPECT_GT(o.rejected, 50);
  EXPECT_GT(estimated, 0);
}

// The keys of issue 16 parts 3, 4 and 7 (ep_a2a_overlap, shared_expert_overlap,
// tp_comm_overlap, reshard_after_forward, recompute.layers) and generation
// phases: mutated; accepted ones are estimated, every phase a positive time.
TEST(ScenarioFuzz, FrameworkPlanAndGenerationMutationsEndInAScenarioOrAnInputError) {
  json base = headline_inline();
  base["plan"]["schedule"] = "interleaved_1f1b";
  base["plan"]["virtual_stages"] = 2;
  base["plan"]["ep_a2a_overlap"] = true;
  base["plan"]["tp_comm_overlap"] = false;
  base["plan"]["zero_stage"] = 3;
  base["plan"]["reshard_after_forward"] = false;
  base["plan"]["recompute"] = {{"full", false}, {"layers", 0}, {"norm", true}};
  base["training"]["phases"][0]["global_batch"] = 16384;
  base["training"]["phases"][0].erase("batch_ramp");
  base["training"]["phases"].push_back(
      json{{"name", "sft"}, {"steps", 10}, {"seq_len", 4096}, {"global_batch", 2048},
           {"plan", {{"schedule", "1f1b"}, {"virtual_stages", 1}, {"ep_a2a_overlap", false},
                     {"shared_expert_overlap", true}, {"tp", 2}, {"dp", 64},
                     {"tp_comm_overlap", true}, {"recompute", {{"full", true}, {"layers", 2}}}}}});
  base["training"]["phases"].push_back(json{{"name", "rollouts"},
                                            {"kind", "generation"},
                                            {"tokens", 1e9},
                                            {"seq_len", 4096},
                                            {"prompt_len", 1024},
                                            {"global_batch", 1024}});
  Outcomes o;
  const int estimated = fuzz_and_estimate(
      base, 400, 0xF5D9A2ull, "plan", 8,
      [](const Estimate& e, const std::string& what) {
        for (const PhaseEstimate& p : e.phases) EXPECT_GT(p.step_time, Seconds()) << what;
      },
      o);
  Outcomes t;
  const int training_estimated = fuzz_and_estimate(
      base, 300, 0x6E7A11ull, "training", 8,
      [](const Estimate& e, const std::string& what) {
        for (const PhaseEstimate& p : e.phases) EXPECT_GT(p.step_time, Seconds()) << what;
      },
      t);
  EXPECT_GT(o.accepted + t.accepted, 20);
  EXPECT_GT(o.rejected + t.rejected, 50);
  EXPECT_GT(estimated + training_estimated, 0);
}

// Mutates only `object` at base[training][key] (keys, values, types), the
// rest intact: each case parses or is an InputError; the first few accepted
// ones estimate. Returns how many of each.
Outcomes fuzz_training_object(const json& base, const std::string& key, const json& object,
                              std::uint64_t seed, int cases, int* estimated) {
  const std::string dir = source_path("scenarios");
  Outcomes o;
  for (int i = 0; i < cases; ++i) {
    std::string what;
    json j = base;
    j["training"][key] = test::mutated_case(object, i, seed, 2, &what);
    expect_clean([&] { return parse_scenario(j, "fuzz.json", dir); }, what, o);
    if (*estimated >= 4) continue;
    try {
      const Scenario s = parse_scenario(j, "fuzz.json", dir);
      EXPECT_GT(estimate(s).step_time, Seconds()) << what;
      ++*estimated;
    } catch (const InputError&) {
    }
  }
  return o;
}

// Both balancing methods, mutated, on a skewed routing.
TEST(ScenarioFuzz, BalancingMutationsEndInAScenarioOrAnInputError) {
  json base = headline_inline();
  base["training"]["routing"] = {{"popularity", "zipf"}, {"zipf_exponent", 0.5}};
  int estimated = 0;
  Outcomes all;
  for (const json& method : {json{{"method", "aux_free"}, {"gamma", 0.01}},
                             json{{"method", "capacity"}, {"capacity_factor", 1.25}}}) {
    const Outcomes o = fuzz_training_object(base, "balancing", method, 0xBA1A7Cull, 150, &estimated);
    all.accepted += o.accepted;
    all.rejected += o.rejected;
  }
  EXPECT_GT(all.accepted, 5);
  EXPECT_GT(all.rejected, 100);
  EXPECT_GT(estimated, 0);
}

// Measured layer loads (one model-sized row), mutated in place.
TEST(ScenarioFuzz, MeasuredLayerLoadMutationsEndInAScenarioOrAnInputError) {
  json row = json::array();
  for (int e = 0; e < 256; ++e) row.push_back((e * 7) % 13);
  const json routing = {{"popularity", "measured"}, {"layer_loads", json::array({row})}};
  int estimated = 0;
  const Outcomes o = fuzz_training_object(headline_inline(), "routing", routing, 0x3EA5ull, 200, &estimated);
  EXPECT_GT(o.accepted, 5);
  EXPECT_GT(o.rejected, 50);
  EXPECT_GT(estimated, 0);
}

TEST(ScenarioFuzz, TextMutationsEndInAScenarioOrAnInputError) {
  const std::string base = headline_inline().dump(2);
  const std::string dir = source_path("scenarios");
  Outcomes o;
  for (int i = 0; i < kTextCases; ++i) {
    Rng rng(0x7E47ull + static_cast<std::uint64_t>(i));
    std::string text = base;
    const std::string what = "text case " + std::to_string(i) + ": " + mutate_text(text, rng);
    expect_clean([&] { return parse_scenario_text(text, "fuzz.json", dir); }, what, o);
  }
  EXPECT_GT(o.rejected, kTextCases / 2);
}

}  // namespace
}  // namespace moesim
