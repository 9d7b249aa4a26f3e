// Scenarios that load: the headline DeepSeek-V3 run with its published values,
// inline parts against referenced ones, HF models, and the struct helpers.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_json.h"
#include "tests/scenario/test_support.h"

namespace moesim {
namespace {

using test::headline_inline;
using test::json;
using test::source_path;

const char* kHeadline = "scenarios/deepseek-v3-pretrain-2048xH800.json";

TEST(ScenarioLoad, HeadlineHasThePublishedValues) {
  const Scenario s = load_scenario(source_path(kHeadline));
  EXPECT_EQ(s.name, "DeepSeek-V3 pre-training, 2048 x H800");
  // Model (V3TR §4.2).
  const ModelSpec& m = s.model;
  EXPECT_EQ(m.name, "DeepSeek-V3");
  EXPECT_EQ(m.num_layers, 61);
  EXPECT_EQ(m.hidden, 7168);
  EXPECT_EQ(m.vocab, 129280);
  EXPECT_EQ(m.attention.kind, AttentionKind::kMla);
  EXPECT_EQ(m.attention.num_heads, 128);
  EXPECT_EQ(m.attention.kv_lora_rank, 512);
  EXPECT_EQ(m.moe.num_routed_experts, 256);
  EXPECT_EQ(m.moe.top_k, 8);
  EXPECT_EQ(m.moe.gate, GateKind::kSigmoid);
  EXPECT_EQ(m.mtp_depth, 1);
  // Cluster: 256 nodes of 8 H800.
  const ClusterSpec& c = s.cluster;
  EXPECT_EQ(c.gpu.name, "H800");
  EXPECT_EQ(c.num_nodes, 256);
  EXPECT_EQ(c.num_gpus(), 2048);
  EXPECT_EQ(c.nvlink_achievable, GBPerSecond(160));
  EXPECT_EQ(c.ib_achievable, GBPerSecond(40));
  EXPECT_EQ(c.nvlink_latency, Microseconds(3.33));
  EXPECT_EQ(c.fabric.kind, FabricKind::kMultiPlaneFatTree);
  EXPECT_EQ(c.fabric.planes, 8);
  // Plan (V3TR §3.2).
  const ParallelPlan& p = s.plan;
  EXPECT_EQ(p.pp, 16);
  EXPECT_EQ(p.ep, 64);
  EXPECT_EQ(p.dp, 128);
  EXPECT_EQ(p.tp, 1);
  EXPECT_EQ(p.zero_stage, 1);
  EXPECT_EQ(p.schedule, ScheduleKind::kDualPipe);
  EXPECT_EQ(p.micro_batch_size, 1);
  EXPECT_FALSE(p.micro_batches.has_value());
  EXPECT_EQ(p.comm_sms, 20);
  EXPECT_TRUE(p.recompute.norm && p.recompute.mla_up_proj && p.recompute.swiglu);
  EXPECT_FALSE(p.recompute.full);
  EXPECT_EQ(s.precision.kind, PrecisionKind::kFp8);
  EXPECT_TRUE(s.precision.fp8_dispatch);
  // Training (V3TR §4.2): 14.8T tokens, batch ramp 3072 -> 15360 over 469B tokens.
  ASSERT_EQ(s.training.phases.size(), 1u);
  const TrainingPhase& ph = s.training.phases[0];
  EXPECT_EQ(ph.name, "pre-training");
  EXPECT_EQ(ph.tokens, 14.8e12);
  EXPECT_EQ(ph.steps, 0);
  EXPECT_EQ(ph.seq_len, 4096);
  EXPECT_EQ(ph.batch.sequences, 15360);
  EXPECT_EQ(ph.batch.ramp_from, 3072);
  EXPECT_EQ(ph.batch.ramp_tokens, 469e9);
  EXPECT_EQ(s.training.price_per_gpu_hour_usd, 2.0);
}

TEST(ScenarioLoad, EveryCheckedInScenarioLoads) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(source_path("scenarios")))
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    try {
      load_scenario(f);
    } catch (const InputError& e) {
      ADD_FAILURE() << e.what();
    }
  }
  for (const auto& e : std::filesystem::directory_iterator(source_path("scenarios/models")))
    EXPECT_NO_THROW(load_model(e.path().string())) << e.path();
}

TEST(ScenarioLoad, SourcesNameTheFileOfEachPart) {
  const std::string file = source_path(kHeadline);
  const LoadedScenario l = load_scenario_with_sources(file);
  EXPECT_EQ(l.sources.scenario, (JsonLocation{file, ""}));
  EXPECT_EQ(l.sources.model, (JsonLocation{source_path("scenarios/models/deepseek-v3.json"), ""}));
  EXPECT_EQ(l.sources.cluster,
            (JsonLocation{source_path("scenarios/clusters/h800-2048.json"), ""}));
  EXPECT_EQ(l.sources.plan, (JsonLocation{file, "/plan"}));
  EXPECT_EQ(l.sources.training, (JsonLocation{file, "/training"}));
  EXPECT_FALSE(l.sources.model_is_hf_config);
  EXPECT_TRUE(validate_scenario(l.scenario, l.sources).empty());
}

TEST(ScenarioLoad, InlineAndReferencedPartsGiveEqualScenarios) {
  const Scenario referenced = load_scenario(source_path(kHeadline));
  const Scenario inline_file =
      load_scenario(source_path("tests/data/scenarios/headline-inline.json"));
  EXPECT_EQ(referenced, inline_file);
  // In memory, parts inline: their own references (the cluster's profile)
  // resolve against the base folder given.
  const Scenario inline_memory =
      parse_scenario(headline_inline(), "mem.json", source_path("scenarios"));
  EXPECT_EQ(referenced, inline_memory);
}

TEST(ScenarioLoad, TextParsesLikeTheDocument) {
  const Scenario s = parse_scenario_text(headline_inline().dump(2), "editor", "");
  EXPECT_EQ(s, load_scenario(source_path(kHeadline)));
}

TEST(ScenarioLoad, EveryPartMayLiveInItsOwnFileIncludingAnHfConfig) {
  const LoadedScenario l =
      load_scenario_with_sources(source_path("tests/data/scenarios/hf-model.json"));
  EXPECT_TRUE(l.sources.model_is_hf_config);
  EXPECT_EQ(l.sources.plan.file, source_path("tests/data/scenarios/plans/dualpipe-pp16.json"));
  EXPECT_EQ(l.sources.plan.pointer, "");
  ModelSpec m = l.scenario.model;
  EXPECT_EQ(m.name, "deepseek_v3");  // no _name_or_path in the config
  m.name = "DeepSeek-V3";
  EXPECT_EQ(m, load_model(source_path("scenarios/models/deepseek-v3.json")));
  const Scenario headline = load_scenario(source_path(kHeadline));
  EXPECT_EQ(l.scenario.plan, headline.plan);
  EXPECT_EQ(l.scenario.precision, headline.precision);
  ASSERT_EQ(l.scenario.training.phases.size(), 2u);
  EXPECT_EQ(l.scenario.training.phases[0], headline.training.phases[0]);
  EXPECT_EQ(l.scenario.training.phases[1].steps, 1000);
  EXPECT_EQ(l.scenario.training.phases[1].tokens, 0);
}

TEST(ScenarioLoad, DefaultsFillOptionalKeys) {
  json j = headline_inline();
  j["plan"] = json{{"pp", 16}, {"dp", 128}, {"ep", 64}, {"schedule", "dualpipe"}};
  j.erase("precision");
  j["cluster"] = json{{"gpu", "H800"}, {"nodes", 256}};
  const Scenario s = parse_scenario(j, "test.json", "");
  EXPECT_EQ(s.plan.tp, 1);
  EXPECT_EQ(s.plan.zero_stage, 1);
  EXPECT_EQ(s.plan.comm_sms, 0);
  EXPECT_EQ(s.precision, PrecisionSpec{});
  EXPECT_EQ(s.cluster, default_cluster(*find_gpu("H800"), 256));
}

TEST(ScenarioLoad, MicroBatchesImplyTheGlobalBatch) {
  json j = headline_inline();
  j["plan"]["micro_batches"] = 120;
  j["training"]["phases"][0].erase("global_batch");
  const Scenario s = parse_scenario(j, "test.json", "");
  EXPECT_EQ(s.training.phases[0].batch.sequences, 120 * 128);
}

TEST(ScenarioLoad, IntegralFloatsAreIntegers) {
  json j = headline_inline();
  j["plan"]["pp"] = 16.0;
  j["model"]["hidden"] = 7168.0;
  const Scenario s = parse_scenario(j, "test.json", "");
  EXPECT_EQ(s.plan.pp, 16);
  EXPECT_EQ(s.model.hidden, 7168);
}

TEST(ScenarioLoad, LoadModelReadsBothFormats) {
  const ModelSpec moesim = load_model(source_path("scenarios/models/deepseek-v3.json"));
  ModelSpec hf = load_model(source_path("tests/data/hf/deepseek-v3/config.json"));
  hf.name = moesim.name;
  EXPECT_EQ(hf, moesim);
}

TEST(ScenarioStructs, EqualityLooksAtEveryPart) {
  const Scenario a = load_scenario(source_path(kHeadline));
  Scenario b = a;
  EXPECT_EQ(a, b);
  b.plan.recompute.full = true;
  EXPECT_FALSE(a == b);
  b = a;
  b.plan.stage_layers = {4, 4};
  EXPECT_FALSE(a == b);
  b = a;
  b.training.phases[0].batch.ramp_tokens = 1;
  EXPECT_FALSE(a == b);
  b = a;
  b.precision.grad_bytes = 2;
  EXPECT_FALSE(a == b);
}

TEST(ScenarioStructs, ScheduleNamesAreTheToStringSpellings) {
  const std::vector<std::string> names = {"1f1b", "interleaved_1f1b", "zb1p", "dualpipe",
                                          "dualpipev"};
  EXPECT_EQ(schedule_names(), names);
  EXPECT_STREQ(to_string(ScheduleKind::kInterleaved1F1B), "interleaved_1f1b");
  EXPECT_STREQ(to_string(ScheduleKind::kDualPipeV), "dualpipev");
  EXPECT_STREQ(to_string(PrecisionKind::kFp8), "fp8");
  EXPECT_STREQ(to_string(PrecisionKind::kBf16), "bf16");
}

}  // namespace
}  // namespace moesim
