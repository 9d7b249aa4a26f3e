// The cross-part plan checks: each starts from the valid headline scenario
// (PP16 dualpipe x DP128 x EP64 on 256 x 8 H800, global batch 15360), breaks
// one rule and checks where the diagnostic points and what it says.
#include <gtest/gtest.h>

#include "sim/scenario/scenario_json.h"
#include "tests/scenario/test_support.h"

namespace moesim {
namespace {

using test::has_diagnostic;
using test::has_error;
using test::headline_inline;
using test::json;
using test::parse_errors;
using test::read_json;
using test::source_path;

json& plan(json& j) { return j["plan"]; }
json& phase0(json& j) { return j["training"]["phases"][0]; }

TEST(ScenarioPlanChecks, HeadlineIsValid) { EXPECT_TRUE(parse_errors(headline_inline()).empty()); }

TEST(ScenarioPlanChecks, GpuCountMustMatchTheCluster) {
  json j = headline_inline();
  plan(j)["dp"] = 64;
  plan(j)["ep"] = 32;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan",
                        {"pp 16 x dp 64 x tp 1 = 1024 GPUs, but the cluster has 256 nodes x 8 = "
                         "2048 GPUs"}));
}

// A rule over several values names the others it read (Diagnostic::related),
// so that an editor can show it at the one the user changed (the studio puts
// "ep does not divide dp x tp x cp" at DP when DP was typed).
TEST(ScenarioPlanChecks, CrossValueRulesNameTheValuesTheyRead) {
  json j = headline_inline();
  plan(j)["dp"] = 30;
  const auto d = parse_errors(j);
  auto related_of = [&](const std::string& path, const std::string& words) {
    std::vector<std::string> out;
    for (const Diagnostic& x : d.items())
      if (x.path == path && x.message.find(words) != std::string::npos)
        for (const DiagnosticPlace& r : x.related) out.push_back(r.path);
    return out;
  };
  EXPECT_EQ(related_of("/plan/ep", "does not divide dp x tp x cp = 30"),
            (std::vector<std::string>{"/plan/dp", "/plan/tp", "/plan/cp"}))
      << d.to_string();
  EXPECT_EQ(related_of("/plan", "GPUs, but the cluster has"),
            (std::vector<std::string>{"/plan/pp", "/plan/dp", "/plan/tp", "/plan/cp",
                                      "/cluster/nodes", "/cluster/gpus_per_node"}));
  // Printed as before: the related values are for editors.
  EXPECT_EQ(d.to_string().find("related"), std::string::npos);
}

TEST(ScenarioPlanChecks, EpMustBeOneForADenseModel) {
  json j = headline_inline();
  j["model"] = read_json("scenarios/models/llama-3.1-405b.json");
  plan(j)["ep"] = 8;
  plan(j)["comm_sms"] = 0;
  const auto d = parse_errors(j);
  ASSERT_EQ(d.size(), 1u) << d.to_string();
  EXPECT_TRUE(has_error(d, "/plan/ep", {"ep must be 1 for a dense model", "found 8"}));
}

TEST(ScenarioPlanChecks, EpMustDivideTheRoutedExperts) {
  json j = headline_inline();
  plan(j)["ep"] = 48;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/ep",
                        {"ep 48 does not divide the model's 256 routed experts"}));
}

TEST(ScenarioPlanChecks, EpMustDivideDpTimesTp) {
  json j = headline_inline();
  plan(j)["ep"] = 256;
  const auto d = parse_errors(j);
  ASSERT_EQ(d.size(), 1u) << d.to_string();
  EXPECT_TRUE(has_error(d, "/plan/ep",
                        {"ep 256 does not divide dp x tp x cp = 128",
                         "carved out of the data-, tensor- and context-parallel ranks"}));
}

TEST(ScenarioPlanChecks, TpMustDivideHeadsAndKvHeads) {
  json j = headline_inline();
  j["model"] = read_json("scenarios/models/llama-3.1-405b.json");
  plan(j) = json{{"pp", 8}, {"dp", 16}, {"tp", 16}, {"schedule", "1f1b"}};
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/tp",
                        {"tp 16 does not divide the model's 8 key/value heads (GQA)"}));
  plan(j) = json{{"pp", 8}, {"dp", 16}, {"tp", 16}, {"schedule", "1f1b"}};
  j["model"]["attention"]["heads"] = 120;
  j["model"]["attention"]["kv_heads"] = 120;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/tp",
                        {"tp 16 does not divide the model's 120 attention heads"}));
}

TEST(ScenarioPlanChecks, PpMustNotExceedTheLayers) {
  json j = headline_inline();
  plan(j)["pp"] = 64;
  plan(j)["dp"] = 32;
  plan(j)["ep"] = 32;
  const auto d = parse_errors(j);
  ASSERT_EQ(d.size(), 1u) << d.to_string();
  EXPECT_TRUE(has_error(d, "/plan/pp", {"pp 64 exceeds the model's 61 layers"}));
}

TEST(ScenarioPlanChecks, StageLayersNeedOneEntryPerStageSummingToTheLayers) {
  json j = headline_inline();
  plan(j)["stage_layers"] = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 1};
  EXPECT_TRUE(parse_errors(j).empty());
  plan(j)["stage_layers"] = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4};
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/stage_layers",
                        {"expected 16 entries (one per pipeline stage, pp = 16), found 15"}));
  plan(j)["stage_layers"] = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4};
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/stage_layers",
                        {"the entries sum to 64 layers, but the model has 61"}));
  plan(j)["stage_layers"][3] = -1;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/stage_layers/3",
                        {"expected a non-negative integer, found -1"}));
}

TEST(ScenarioPlanChecks, DualPipeNeedsAnEvenPp) {
  json j = headline_inline();
  plan(j)["pp"] = 1;
  plan(j)["dp"] = 2048;
  phase0(j)["global_batch"] = 2048 * 8;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/pp", {"dualpipe needs an even pp", "found 1"}));
}

TEST(ScenarioPlanChecks, DualPipeNeedsAnEvenMicroBatchCountOfAtLeastTwicePp) {
  json j = headline_inline();
  phase0(j)["global_batch"] = 1920;  // N = 15
  phase0(j)["batch_ramp"]["from"] = 640;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/schedule",
                        {"dualpipe needs an even number of micro-batches per DP rank per step, "
                         "at least 2 x pp = 32",
                         "phase \"pre-training\" has N = global_batch 1920 / (dp 128 x "
                         "micro_batch_size 1 = 128) = 15"}));
  phase0(j)["global_batch"] = 33 * 128;  // odd
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/schedule", {"even", "N = global_batch 4224"}));
}

TEST(ScenarioPlanChecks, DualPipeVNeedsTwicePpMicroBatchesAndLayers) {
  json j = headline_inline();
  plan(j)["schedule"] = "dualpipev";
  EXPECT_TRUE(parse_errors(j).empty());
  phase0(j)["global_batch"] = 30 * 128;
  phase0(j)["batch_ramp"]["from"] = 640;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/schedule",
                        {"dualpipev needs at least 2 x pp = 32 micro-batches", "= 30"}));
  j = headline_inline();
  plan(j)["schedule"] = "dualpipev";
  j["model"]["layers"] = 30;
  EXPECT_TRUE(
      has_error(parse_errors(j), "/plan/schedule",
                {"dualpipev runs 2 x pp = 32 pipeline stages on 16 ranks", "the model has 30"}));
}

TEST(ScenarioPlanChecks, OneFOneBAndZb1pNeedAtLeastPpMicroBatches) {
  for (const char* schedule : {"1f1b", "zb1p"}) {
    json j = headline_inline();
    plan(j)["schedule"] = schedule;
    EXPECT_TRUE(parse_errors(j).empty()) << schedule;
    phase0(j)["global_batch"] = 15 * 128;
    phase0(j)["batch_ramp"]["from"] = 640;
    EXPECT_TRUE(
        has_error(parse_errors(j), "/plan/schedule",
                  {std::string(schedule) + " needs at least pp = 16 micro-batches", "= 15"}));
  }
}

TEST(ScenarioPlanChecks, InterleavedNeedsVirtualStagesAMultipleOfPpAndEnoughLayers) {
  json j = headline_inline();
  plan(j)["schedule"] = "interleaved_1f1b";
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/virtual_stages",
                        {"interleaved_1f1b needs virtual_stages >= 2", "found 1"}));
  plan(j)["virtual_stages"] = 2;
  phase0(j)["global_batch"] = 16 * 128 * 7;
  EXPECT_TRUE(parse_errors(j).empty());
  phase0(j)["global_batch"] = 15360;  // N = 120, not a multiple of 16
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/schedule", {"multiple of pp = 16", "= 120"}));
  phase0(j)["global_batch"] = 16 * 128 * 7;
  plan(j)["virtual_stages"] = 4;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/virtual_stages",
                        {"pp x virtual_stages = 64 model chunks", "the model has 61"}));
}

TEST(ScenarioPlanChecks, VirtualStagesApplyToInterleavedOnly) {
  json j = headline_inline();
  plan(j)["virtual_stages"] = 2;
  EXPECT_TRUE(has_error(
      parse_errors(j), "/plan/virtual_stages",
      {"applies to the \"interleaved_1f1b\" schedule only", "(schedule is \"dualpipe\")"}));
}

TEST(ScenarioPlanChecks, GlobalBatchMustBeAWholeNumberOfMicroBatchesPerRank) {
  json j = headline_inline();
  phase0(j)["global_batch"] = 15000;
  EXPECT_TRUE(has_error(parse_errors(j), "/training/phases/0/global_batch",
                        {"global_batch 15000 is not a multiple of dp 128 x micro_batch_size 1 = "
                         "128"}));
  phase0(j)["global_batch"] = 64;
  phase0(j).erase("batch_ramp");
  EXPECT_TRUE(has_error(parse_errors(j), "/training/phases/0/global_batch",
                        {"global_batch 64 is smaller than dp 128 x micro_batch_size 1 = 128"}));
}

TEST(ScenarioPlanChecks, EveryPhaseIsChecked) {
  json j = headline_inline();
  j["training"]["phases"].push_back(json{
      {"name", "long-context 32K"}, {"steps", 1000}, {"seq_len", 32768}, {"global_batch", 1920}});
  const auto d = parse_errors(j);
  ASSERT_EQ(d.size(), 1u) << d.to_string();
  EXPECT_TRUE(has_error(d, "/plan/schedule", {"phase \"long-context 32K\" has N", "= 15"}));
}

TEST(ScenarioPlanChecks, RampStartsAtOneMicroBatchPerRankAndBelowTheFullBatch) {
  json j = headline_inline();
  phase0(j)["batch_ramp"]["from"] = 128;  // N = 1: below dualpipe's minimum, which is fine
  EXPECT_TRUE(parse_errors(j).empty());
  phase0(j)["batch_ramp"]["from"] = 64;
  EXPECT_TRUE(has_error(parse_errors(j), "/training/phases/0/batch_ramp/from",
                        {"the ramp starts at 64 sequences, below dp 128 x micro_batch_size 1"}));
  phase0(j)["batch_ramp"]["from"] = 15360;
  EXPECT_TRUE(has_error(parse_errors(j), "/training/phases/0/batch_ramp/from",
                        {"below the phase's global_batch 15360, found 15360"}));
}

TEST(ScenarioPlanChecks, MicroBatchesMustAgreeWithAGivenGlobalBatch) {
  json j = headline_inline();
  plan(j)["micro_batches"] = 100;
  EXPECT_TRUE(has_error(parse_errors(j), "/training/phases/0/global_batch",
                        {"global_batch 15360 disagrees with the plan: micro_batches 100 x dp "
                         "128 x micro_batch_size 1 = 12800 sequences"}));
}

TEST(ScenarioPlanChecks, CommSmsMustLeaveSmsForCompute) {
  json j = headline_inline();
  plan(j)["comm_sms"] = 132;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/comm_sms",
                        {"expected 0..131 (fewer than the 132 SMs of the H800", "found 132"}));
  plan(j)["comm_sms"] = -1;
  EXPECT_TRUE(
      has_error(parse_errors(j), "/plan/comm_sms", {"expected a non-negative integer, found -1"}));
}

TEST(ScenarioPlanChecks, MicroBatchSizeMustBePositive) {
  json j = headline_inline();
  plan(j)["micro_batch_size"] = 0;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/micro_batch_size",
                        {"expected a positive integer, found 0"}));
}

TEST(ScenarioPlanChecks, Fp8NeedsAGpuWithFp8TensorCores) {
  json j = headline_inline();
  j["cluster"]["gpu"] = "A100-80GB";
  j["cluster"].erase("calibration_profile");  // made on H800: a profile says so itself
  const auto d = parse_errors(j);
  ASSERT_EQ(d.size(), 1u) << d.to_string();
  EXPECT_TRUE(has_error(d, "/precision/kind",
                        {"\"fp8\" needs FP8 tensor cores, which the A100-80GB lacks"}));
  j["precision"]["kind"] = "bf16";
  EXPECT_TRUE(parse_errors(j).empty());
}

TEST(ScenarioPlanChecks, SeqLenAndBudgetMustBePositive) {
  json j = headline_inline();
  phase0(j)["seq_len"] = 0;
  phase0(j)["tokens"] = -1;
  const auto d = parse_errors(j);
  EXPECT_TRUE(has_error(d, "/training/phases/0/seq_len", {"expected a positive integer, found 0"}));
  EXPECT_TRUE(has_error(d, "/training/phases/0/tokens", {"expected a positive number, found -1"}));
}

TEST(ScenarioPlanChecks, APlanInItsOwnFileIsBlamedThere) {
  const auto d = test::load_errors("tests/data/scenarios/plan-in-file-ep48.json");
  ASSERT_EQ(d.size(), 2u) << d.to_string();
  const std::string plan_file = source_path("tests/data/scenarios/plans/ep48.json");
  EXPECT_TRUE(has_diagnostic(d, plan_file, "/ep", {"ep 48 does not divide dp x tp x cp = 128"}));
  EXPECT_TRUE(has_diagnostic(d, plan_file, "/ep",
                             {"ep 48 does not divide the model's 256 routed experts"}));
}

TEST(ScenarioPlanChecks, ValidateScenarioChecksEditedValues) {
  LoadedScenario l =
      load_scenario_with_sources(source_path("scenarios/deepseek-v3-pretrain-2048xH800.json"));
  l.scenario.plan.ep = 48;
  l.scenario.plan.zero_stage = 7;
  l.scenario.training.phases[0].seq_len = 0;
  const Diagnostics d = validate_scenario(l.scenario, l.sources);
  const std::string file = source_path("scenarios/deepseek-v3-pretrain-2048xH800.json");
  EXPECT_TRUE(has_diagnostic(d, file, "/plan/ep", {"ep 48 does not divide"}));
  EXPECT_TRUE(has_diagnostic(d, file, "/plan/zero_stage", {"found 7"}));
  EXPECT_TRUE(has_diagnostic(d, file, "/training/phases/0/seq_len", {"found 0"}));
  // Default sources: everything inline in "<inline>".
  EXPECT_TRUE(has_diagnostic(validate_scenario(l.scenario), "<inline>", "/plan/ep", {"48"}));
}

TEST(ScenarioPlanChecks, ValidateScenarioMapsModelProblemsOfAnHfModelToHfKeys) {
  LoadedScenario l = load_scenario_with_sources(source_path("tests/data/scenarios/hf-model.json"));
  l.scenario.model.moe.top_k = 300;
  const Diagnostics d = validate_scenario(l.scenario, l.sources);
  EXPECT_TRUE(has_diagnostic(d, source_path("tests/data/hf/deepseek-v3/config.json"),
                             "/num_experts_per_tok", {"300 exceeds 256 routed experts"}));
}

}  // namespace
// training.routing: each mistake at its key, with what was expected.
TEST(ScenarioPlanChecks, RoutingModelMistakesAreNamedAtTheirKeys) {
  json j = headline_inline();
  j["training"]["routing"] = {{"popularity", "zipf"}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/routing", {"missing", "zipf_exponent"}));
  j["training"]["routing"] = {{"popularity", "zipf"}, {"zipf_exponent", -1}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/routing/zipf_exponent", {"non-negative"}));
  j["training"]["routing"] = {{"popularity", "histogram"}, {"expert_weights", {1, 2, 3}}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/routing/expert_weights",
                        {"3 weights for 256 routed experts"}));
  j["training"]["routing"] = {{"popularity", "histogram"}, {"expert_weights", {1, -2}}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/routing/expert_weights/1", {"non-negative"}));
  j["training"]["routing"] = {{"popularity", "hot"}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/routing/popularity", {"uniform"}));
  j["training"]["routing"] = {{"popularity", "uniform"}, {"zipf_exponent", 1}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/routing/zipf_exponent", {"zipf"}));
  j["training"]["routing"] = {{"popularity", "measured"}, {"layer_loads", {{1, 2}}}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/routing/layer_loads/0", {"2 counts for 256"}));
  j["training"]["routing"] = {{"popularity", "measured"}, {"layer_loads", {{1, "x"}}}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/routing/layer_loads/0/1", {"non-negative"}));
  j["training"]["routing"] = {{"popularity", "measured"}, {"layer_loads", 3}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/routing/layer_loads", {"per MoE layer"}));
  j["training"]["routing"] = {{"popularity", "measured"},
                              {"layer_loads", {std::vector<double>(256, 1.0), std::vector<double>(256, 1.0)}}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/routing/layer_loads", {"2 layers", "58"}));
  j["training"]["routing"] = {{"popularity", "zipf"}, {"zipf_exponent", 1}, {"layer_loads", {{1}}}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/routing/layer_loads", {"measured"}));
  j["training"]["routing"] = {{"popularity", "measured"}, {"layer_loads", {std::vector<double>(256, 1.0)}}};
  j["training"]["balancing"] = {{"method", "aux_free"}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/balancing/method", {"measured"}));
  j["training"].erase("balancing");
  EXPECT_TRUE(parse_errors(j).empty()) << parse_errors(j).to_string();
  std::vector<double> w(256, 1.0);
  j["training"]["routing"] = {{"popularity", "histogram"}, {"expert_weights", w}, {"seed", 7}};
  EXPECT_TRUE(parse_errors(j).empty()) << parse_errors(j).to_string();
}

TEST(ScenarioPlanChecks, BalancingMistakesAreNamedAtTheirKeys) {
  json j = headline_inline();
  j["training"]["balancing"] = {{"method", "aux_fre"}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/balancing/method", {"aux_free"}));
  j["training"]["balancing"] = {{"method", "aux_free"}, {"gama", 0.001}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/balancing/gama", {"did you mean", "gamma"}));
  j["training"]["balancing"] = {{"method", "aux_free"}, {"gamma", -0.1}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/balancing/gamma", {"non-negative"}));
  j["training"]["balancing"] = {{"method", "aux_free"}, {"gamma", 3}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/balancing/gamma", {"at most 1"}));
  j["training"]["balancing"] = {{"method", "capacity"}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/balancing", {"missing", "capacity_factor"}));
  j["training"]["balancing"] = {{"method", "capacity"}, {"capacity_factor", 0}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/balancing/capacity_factor", {"positive"}));
  j["training"]["balancing"] = {{"method", "none"}, {"capacity_factor", 1.25}};
  EXPECT_TRUE(has_error(parse_errors(j), "/training/balancing/capacity_factor", {"capacity"}));
  j["training"]["balancing"] = {{"method", "capacity"}, {"capacity_factor", 1.25}};
  j["plan"]["redundant_experts"] = 64;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/redundant_experts", {"capacity", "not modeled"}));
  j["plan"].erase("redundant_experts");
  j["plan"]["ep"] = 1;
  j["plan"]["dp"] = 128;
  EXPECT_TRUE(has_error(parse_errors(j), "/training/balancing/method", {"ep > 1"}));
  j = headline_inline();
  j["training"]["balancing"] = {{"method", "aux_free"}, {"gamma", 0.001}};
  EXPECT_TRUE(parse_errors(j).empty()) << parse_errors(j).to_string();
  j["training"]["balancing"] = {{"method", "aux_free"}};  // gamma defaults to V3's 0.001
  EXPECT_TRUE(parse_errors(j).empty()) << parse_errors(j).to_string();
}

// Issue 16 parts 3, 4 and 7: the overlap and sharding switches refused
// where Megatron-Core or FSDP would refuse them, at their keys.
TEST(ScenarioPlanChecks, EpA2aOverlapNeedsAOneFOneBFamilyScheduleWithEp) {
  json j = headline_inline();
  plan(j)["ep_a2a_overlap"] = true;  // on dualpipe
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/ep_a2a_overlap",
                        {"dualpipe overlaps its EP calls already"}));
  plan(j)["schedule"] = "zb1p";
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/ep_a2a_overlap", {"zb1p splits each backward"}));
  plan(j)["schedule"] = "1f1b";
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/ep_a2a_overlap",
                        {"with pp 16 needs virtual stages", "interleaved_1f1b"}));
  plan(j)["schedule"] = "interleaved_1f1b";
  plan(j)["virtual_stages"] = 2;
  plan(j)["recompute"]["full"] = true;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/ep_a2a_overlap", {"full recomputation"}));
  plan(j)["recompute"]["full"] = false;
  plan(j)["shared_expert_overlap"] = true;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/shared_expert_overlap", {"exclude each other"}));
  plan(j).erase("shared_expert_overlap");
  phase0(j)["global_batch"] = 16384;
  phase0(j).erase("batch_ramp");
  EXPECT_TRUE(parse_errors(j).empty()) << parse_errors(j).to_string();
  plan(j)["ep_a2a_overlp"] = true;
  EXPECT_TRUE(
      has_error(parse_errors(j), "/plan/ep_a2a_overlp", {"did you mean \"ep_a2a_overlap\""}));
}

TEST(ScenarioPlanChecks, SharedExpertOverlapNeedsSharedExpertsAndEp) {
  json j = headline_inline();
  plan(j)["shared_expert_overlap"] = true;
  EXPECT_TRUE(parse_errors(j).empty()) << parse_errors(j).to_string();
  j["model"] = read_json("scenarios/models/mixtral-8x7b.json");
  plan(j)["ep"] = 8;
  plan(j)["comm_sms"] = 0;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/shared_expert_overlap", {"no shared experts"}));
  plan(j)["ep"] = 1;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/shared_expert_overlap", {"needs ep > 1"}));
}

TEST(ScenarioPlanChecks, ReshardAndRecomputedLayersNeedTheirSwitch) {
  json j = headline_inline();
  plan(j)["reshard_after_forward"] = false;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/reshard_after_forward",
                        {"applies to zero_stage 3", "zero_stage is 1"}));
  plan(j)["zero_stage"] = 3;
  EXPECT_TRUE(parse_errors(j).empty()) << parse_errors(j).to_string();
  plan(j)["recompute"]["layers"] = 4;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/recompute/layers", {"needs recompute.full true"}));
  plan(j)["recompute"]["full"] = true;
  EXPECT_TRUE(parse_errors(j).empty()) << parse_errors(j).to_string();
  plan(j)["recompute"]["layers"] = -1;
  EXPECT_TRUE(has_error(parse_errors(j), "/plan/recompute/layers", {"non-negative"}));
}

// Generation phases (RL rollouts): after a training phase, with a prompt
// shorter than seq_len, one batch size, no context parallelism.
TEST(ScenarioPlanChecks, GenerationPhasesAreCheckedAtTheirKeys) {
  json j = headline_inline();
  json gen = {{"name", "rollouts"}, {"kind", "generation"}, {"tokens", 1e9},
              {"seq_len", 4096},    {"prompt_len", 1024},   {"global_batch", 1024}};
  j["training"]["phases"].push_back(gen);
  EXPECT_TRUE(parse_errors(j).empty()) << parse_errors(j).to_string();
  json bad = j;
  bad["training"]["phases"][1]["prompt_len"] = 4096;
  EXPECT_TRUE(has_error(parse_errors(bad), "/training/phases/1/prompt_len",
                        {"fewer tokens than seq_len = 4096"}));
  bad = j;
  bad["training"]["phases"][1]["kind"] = "generaton";
  EXPECT_TRUE(has_error(parse_errors(bad), "/training/phases/1/kind", {"generation"}));
  bad = j;
  bad["training"]["phases"][1]["batch_ramp"] = {{"from", 64}, {"over_tokens", 1e9}};
  EXPECT_TRUE(has_error(parse_errors(bad), "/training/phases/1/batch_ramp", {"one batch size"}));
  bad = j;
  bad["training"]["phases"][1]["global_batch"] = 64;
  EXPECT_TRUE(has_error(parse_errors(bad), "/training/phases/1/global_batch",
                        {"smaller than dp = 128"}));
  bad = j;
  bad["training"]["phases"][1]["plan"] = {{"cp", 2}, {"dp", 64}};
  EXPECT_TRUE(has_error(parse_errors(bad), "/training/phases/1/plan/cp",
                        {"context parallelism does not apply"}));
  bad = j;
  bad["training"]["phases"][0]["prompt_len"] = 100;
  EXPECT_TRUE(has_error(parse_errors(bad), "/training/phases/0/prompt_len",
                        {"\"generation\" phases only"}));
  bad = j;
  bad["training"]["phases"][0]["kind"] = "generation";
  bad["training"]["phases"][0]["prompt_len"] = 100;
  bad["training"]["phases"][0].erase("batch_ramp");
  EXPECT_TRUE(has_error(parse_errors(bad), "/training/phases/0/kind",
                        {"the first phase is the headline training step"}));
}

}  // namespace moesim
