#include <gtest/gtest.h>

#include <set>

#include "sim/core/diagnostics.h"
#include "sim/sweep/sweep_points.h"
#include "sim/sweep/sweep_spec.h"
#include "tests/sweep/sweep_fixture.h"

namespace moesim {
namespace {

// The spec's error text, or "" when it loads.
std::string spec_error(const std::string& body) {
  const std::string dir = testing::fresh_dir("spec_errors");
  try {
    load_sweep_spec(testing::write_spec(dir, "spec.json", body));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(SweepSpec, LoadsAndExpandsRanges) {
  const std::string dir = testing::fresh_dir("spec_ok");
  SweepSpec s = load_sweep_spec(testing::write_spec(dir, "spec.json", R"({
    "base": "$BASE",
    "parameters": [
      { "path": "/plan/ep", "log_range": { "from": 8, "to": 64, "factor": 2 } },
      { "path": "/plan/micro_batch_size", "range": { "from": 1, "to": 3 } },
      { "path": "/cluster/ib_GB_per_s", "range": { "from": 25, "to": 50, "step": 12.5 } }
    ]
  })"));
  ASSERT_EQ(s.parameters.size(), 3u);
  EXPECT_EQ(s.parameters[0].values, (std::vector<nlohmann::json>{8, 16, 32, 64}));
  EXPECT_EQ(s.parameters[1].values, (std::vector<nlohmann::json>{1, 2, 3}));
  EXPECT_EQ(s.parameters[2].values, (std::vector<nlohmann::json>{25, 37.5, 50}));
  EXPECT_EQ(enumeration_size(s), 36u);
  // The base is inlined: parts given as paths in the scenario are objects now.
  EXPECT_TRUE(s.base["model"].is_object());
}

TEST(SweepSpec, UnknownParameterIsRejectedBeforeWork) {
  std::string e = spec_error(R"({"base": "$BASE", "parameters": [
      { "path": "/plan/micro_bach_size", "values": [1, 2] }]})");
  EXPECT_TRUE(has(e, "/parameters/0/path")) << e;
  EXPECT_TRUE(has(e, "unknown parameter /plan/micro_bach_size")) << e;
  EXPECT_TRUE(has(e, "micro_batch_size")) << e;  // the parser's did-you-mean
  e = spec_error(R"({"base": "$BASE", "parameters": [{ "path": "/nowhere/x", "values": [1] }]})");
  EXPECT_TRUE(has(e, "the base scenario has no /nowhere")) << e;
  // Found by tools/fuzz.sh: a '~' that is not an escape ended in an uncaught
  // exception; it is a path error like the others.
  e = spec_error(R"({"base": "$BASE", "parameters": [
      { "path": "/plan/micro_bat~h_size", "values": [1, 2] }]})");
  EXPECT_TRUE(has(e, "/parameters/0/path")) << e;
  EXPECT_TRUE(has(e, "not a JSON pointer")) << e;
}

// A routing model the base does not have can be swept: its object is made on
// the way; a misspelt part of the path is still named.
TEST(SweepSpec, ObjectsTheBaseLacksAreMadeOnTheWay) {
  EXPECT_EQ(spec_error(R"({"base": "$BASE", "parameters": [
      { "path": "/training/routing/popularity", "values": ["zipf"] },
      { "path": "/training/routing/zipf_exponent", "values": [0.2, 0.4] },
      { "path": "/plan/redundant_experts", "values": [0, 64] }]})"),
            "");
  const std::string e = spec_error(R"({"base": "$BASE", "parameters": [
      { "path": "/training/routng/zipf_exponent", "values": [0.2] }]})");
  EXPECT_TRUE(has(e, "unknown parameter /training/routng/zipf_exponent")) << e;
  EXPECT_TRUE(has(e, "routing")) << e;  // the parser's did-you-mean
}

TEST(SweepSpec, EmptyRangesAreRejected) {
  std::string e = spec_error(R"({"base": "$BASE", "parameters": [
      { "path": "/plan/ep", "range": { "from": 64, "to": 8 } }]})");
  EXPECT_TRUE(has(e, "/parameters/0/range: empty range")) << e;
  e = spec_error(R"({"base": "$BASE", "parameters": [{ "path": "/plan/ep", "values": [] }]})");
  EXPECT_TRUE(has(e, "/parameters/0/values: expected a non-empty array")) << e;
  e = spec_error(R"({"base": "$BASE", "parameters": [
      { "path": "/plan/ep", "log_range": { "from": 8, "to": 64, "factor": 1 } }]})");
  EXPECT_TRUE(has(e, "/log_range/factor: expected a factor > 1")) << e;
  e = spec_error(R"({"base": "$BASE", "parameters": [
      { "path": "/plan/ep", "range": { "from": 8, "to": 64, "step": 0 } }]})");
  EXPECT_TRUE(has(e, "expected a step > 0")) << e;
}

TEST(SweepSpec, ContradictoryConstraintsAreRejected) {
  std::string e = spec_error(R"({"base": "$BASE", "parameters": [{ "path": "/plan/ep", "values": [64] }],
      "constraints": { "min_gpus": 4096, "max_gpus": 1024 }})");
  EXPECT_TRUE(has(e, "/constraints: contradictory constraints")) << e;
  e = spec_error(R"({"base": "$BASE", "parameters": [{ "path": "/plan/ep", "values": [64] }],
      "constraints": { "max_cost_usd": -5 }})");
  EXPECT_TRUE(has(e, "/constraints/max_cost_usd")) << e;
}

TEST(SweepSpec, OtherMistakesAreNamed) {
  std::string e = spec_error(R"({"base": "$BASE", "parameters": [{ "path": "/plan/ep", "values": [8, 16] },
      { "path": "/plan/pp", "values": [16] }], "combine": "zip"})");
  EXPECT_TRUE(has(e, "zip needs equal lengths")) << e;
  e = spec_error(R"({"base": "$BASE", "paramters": []})");
  EXPECT_TRUE(has(e, "did you mean \"parameters\"")) << e;
  e = spec_error(R"({"base": "nope.json", "parameters": [{ "path": "/plan/ep", "values": [8] }]})");
  EXPECT_TRUE(has(e, "nope.json: cannot open file")) << e;
  e = spec_error(R"({"base": "$BASE", "parameters": [{ "path": "/plan/ep", "values": [8] }],
      "objective": "speed"})");
  EXPECT_TRUE(has(e, "/objective")) << e;
  e = spec_error("{not json");
  EXPECT_TRUE(has(e, "not valid JSON")) << e;
}

TEST(SweepPoints, GridOrderIsMixedRadixFirstSlowest) {
  const std::string dir = testing::fresh_dir("grid");
  SweepSpec s = load_sweep_spec(testing::write_spec(dir, "spec.json", testing::kSmallSweep));
  EXPECT_EQ(enumeration_size(s), 24u);
  auto v = point_values(s, 0);
  EXPECT_EQ(v[0], 25);
  EXPECT_EQ(v[2], "zb1p");
  v = point_values(s, 1);
  EXPECT_EQ(v[2], "dualpipe");
  v = point_values(s, 23);
  EXPECT_EQ(v[0], 100);
  EXPECT_EQ(v[1], 64);
  EXPECT_EQ(v[2], "dualpipe");
  auto j = point_scenario(s, v);
  EXPECT_EQ(j["plan"]["schedule"], "dualpipe");
  EXPECT_EQ(j["cluster"]["ib_GB_per_s"], 100);
}

TEST(SweepPoints, SamplingIsSeededDistinctAndSorted) {
  const std::string dir = testing::fresh_dir("sample");
  std::string body = testing::kSmallSweep;
  body.insert(body.rfind('}'), R"(, "sample": { "count": 10, "seed": 42 })");
  SweepSpec s = load_sweep_spec(testing::write_spec(dir, "spec.json", body));
  auto a = sweep_indices(s), b = sweep_indices(s);
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.size(), 10u);
  EXPECT_EQ(std::set<uint64_t>(a.begin(), a.end()).size(), 10u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_LT(a.back(), 24u);
  s.sample_seed = 43;
  EXPECT_NE(sweep_indices(s), a);
}

TEST(SweepPoints, ShardsPartitionThePoints) {
  std::vector<uint64_t> all(103);
  for (uint64_t i = 0; i < all.size(); ++i) all[i] = i * 3;
  std::multiset<uint64_t> seen;
  for (int k = 1; k <= 4; ++k)
    for (uint64_t i : shard_of(all, k, 4)) seen.insert(i);
  EXPECT_EQ(seen, std::multiset<uint64_t>(all.begin(), all.end()));
}

TEST(SweepPoints, DeriveDpFollowsTheGpuCount) {
  const std::string dir = testing::fresh_dir("derive");
  SweepSpec s = load_sweep_spec(testing::write_spec(dir, "spec.json", R"({
    "base": "$BASE", "derive": { "dp": true },
    "parameters": [{ "path": "/cluster/nodes", "values": [128, 512] }]})"));
  EXPECT_EQ(point_scenario(s, point_values(s, 0))["plan"]["dp"], 64);
  EXPECT_EQ(point_scenario(s, point_values(s, 1))["plan"]["dp"], 256);
  // Context parallelism takes its share of the GPUs too.
  SweepSpec c = load_sweep_spec(testing::write_spec(dir, "cp.json", R"({
    "base": "$BASE", "derive": { "dp": true },
    "parameters": [{ "path": "/plan/cp", "values": [1, 4] }]})"));
  EXPECT_EQ(point_scenario(c, point_values(c, 0))["plan"]["dp"], 128);
  EXPECT_EQ(point_scenario(c, point_values(c, 1))["plan"]["dp"], 32);
}

}  // namespace
}  // namespace moesim
