// HuggingFace config.json import: the five supported families, with fixtures
// that carry the released configs' values (and their unused keys), checked
// field by field and against the moesim-format files in scenarios/models/.
#include <gtest/gtest.h>

#include "sim/scenario/scenario_json.h"
#include "tests/scenario/test_support.h"

namespace moesim {
namespace {

using test::has_diagnostic;
using test::json;
using test::read_json;
using test::source_path;

ModelSpec hf(const std::string& name) {
  return load_model(source_path("tests/data/hf/" + name + "/config.json"));
}

Diagnostics hf_errors(const json& j) {
  try {
    model_from_hf_config(j, "config.json");
  } catch (const InputError& e) {
    return e.diagnostics();
  }
  return {};
}

TEST(ScenarioHfConfig, DeepSeekV3) {
  const ModelSpec m = hf("deepseek-v3");
  EXPECT_EQ(m.name, "deepseek_v3");  // no _name_or_path: named by model_type
  EXPECT_EQ(m.hidden, 7168);
  EXPECT_EQ(m.num_layers, 61);
  EXPECT_EQ(m.vocab, 129280);
  EXPECT_EQ(m.dense_intermediate, 18432);
  EXPECT_EQ(m.attention.kind, AttentionKind::kMla);
  EXPECT_EQ(m.attention.num_heads, 128);
  EXPECT_EQ(m.attention.q_lora_rank, 1536);
  EXPECT_EQ(m.attention.kv_lora_rank, 512);
  EXPECT_EQ(m.attention.qk_nope_head_dim, 128);
  EXPECT_EQ(m.attention.qk_rope_head_dim, 64);
  EXPECT_EQ(m.attention.v_head_dim, 128);
  EXPECT_EQ(m.moe.num_routed_experts, 256);
  EXPECT_EQ(m.moe.num_shared_experts, 1);
  EXPECT_EQ(m.moe.top_k, 8);
  EXPECT_EQ(m.moe.expert_intermediate, 2048);
  EXPECT_EQ(m.moe.num_expert_groups, 8);
  EXPECT_EQ(m.moe.topk_groups, 4);
  EXPECT_EQ(m.moe.first_dense_layers, 3);
  EXPECT_EQ(m.moe.gate, GateKind::kSigmoid);
  EXPECT_EQ(m.mtp_depth, 1);
  EXPECT_EQ(m.num_moe_layers(), 58);
}

TEST(ScenarioHfConfig, DeepSeekV2) {
  const ModelSpec m = hf("deepseek-v2");
  EXPECT_EQ(m.name, "deepseek-ai/DeepSeek-V2");
  EXPECT_EQ(m.hidden, 5120);
  EXPECT_EQ(m.num_layers, 60);
  EXPECT_EQ(m.vocab, 102400);
  EXPECT_EQ(m.dense_intermediate, 12288);
  EXPECT_EQ(m.attention.kind, AttentionKind::kMla);
  EXPECT_EQ(m.attention.q_lora_rank, 1536);
  EXPECT_EQ(m.moe.num_routed_experts, 160);
  EXPECT_EQ(m.moe.num_shared_experts, 2);
  EXPECT_EQ(m.moe.top_k, 6);
  EXPECT_EQ(m.moe.expert_intermediate, 1536);
  EXPECT_EQ(m.moe.topk_groups, 3);
  EXPECT_EQ(m.moe.first_dense_layers, 1);
  EXPECT_EQ(m.moe.gate, GateKind::kSoftmax);
  EXPECT_EQ(m.mtp_depth, 0);
}

TEST(ScenarioHfConfig, Llama31405B) {
  const ModelSpec m = hf("llama-3.1-405b");
  EXPECT_EQ(m.name, "meta-llama/Llama-3.1-405B");
  EXPECT_EQ(m.hidden, 16384);
  EXPECT_EQ(m.num_layers, 126);
  EXPECT_EQ(m.vocab, 128256);
  EXPECT_EQ(m.dense_intermediate, 53248);
  EXPECT_EQ(m.attention.kind, AttentionKind::kGqa);
  EXPECT_EQ(m.attention.num_heads, 128);
  EXPECT_EQ(m.attention.num_kv_heads, 8);
  EXPECT_EQ(m.attention.head_dim, 128);  // hidden / heads
  EXPECT_FALSE(m.attention.qkv_bias);
  EXPECT_FALSE(m.moe.enabled());
}

TEST(ScenarioHfConfig, Qwen25_72B) {
  const ModelSpec m = hf("qwen2.5-72b");
  EXPECT_EQ(m.hidden, 8192);
  EXPECT_EQ(m.num_layers, 80);
  EXPECT_EQ(m.vocab, 152064);
  EXPECT_EQ(m.dense_intermediate, 29568);
  EXPECT_EQ(m.attention.num_heads, 64);
  EXPECT_EQ(m.attention.num_kv_heads, 8);
  EXPECT_TRUE(m.attention.qkv_bias);
}

TEST(ScenarioHfConfig, Mixtral8x7B) {
  const ModelSpec m = hf("mixtral-8x7b");
  EXPECT_EQ(m.hidden, 4096);
  EXPECT_EQ(m.num_layers, 32);
  EXPECT_EQ(m.vocab, 32000);
  EXPECT_EQ(m.dense_intermediate, 0);  // every FFN is MoE
  EXPECT_EQ(m.attention.num_kv_heads, 8);
  EXPECT_EQ(m.moe.num_routed_experts, 8);
  EXPECT_EQ(m.moe.top_k, 2);
  EXPECT_EQ(m.moe.expert_intermediate, 14336);
  EXPECT_EQ(m.moe.gate, GateKind::kSoftmax);
  EXPECT_EQ(m.num_moe_layers(), 32);
}

TEST(ScenarioHfConfig, EachFixtureMatchesItsMoesimModelFile) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"deepseek-v3", "deepseek-v3"},
      {"deepseek-v2", "deepseek-v2"},
      {"llama-3.1-405b", "llama-3.1-405b"},
      {"qwen2.5-72b", "qwen2.5-72b"},
      {"mixtral-8x7b", "mixtral-8x7b"}};
  for (const auto& [fixture, file] : pairs) {
    ModelSpec imported = hf(fixture);
    const ModelSpec native = load_model(source_path("scenarios/models/" + file + ".json"));
    imported.name = native.name;
    EXPECT_EQ(imported, native) << fixture;
  }
}

TEST(ScenarioHfConfig, UnsupportedModelTypeSuggestsAFamily) {
  json j = read_json("tests/data/hf/qwen2.5-72b/config.json");
  j["model_type"] = "Qwen2";
  auto d = hf_errors(j);
  ASSERT_EQ(d.size(), 1u) << d.to_string();
  EXPECT_TRUE(has_diagnostic(d, "config.json", "/model_type",
                             {"unsupported model_type \"Qwen2\" (string)",
                              "supported: \"deepseek_v3\", \"deepseek_v2\", \"llama\", \"qwen2\" "
                              "or \"mixtral\"",
                              "did you mean \"qwen2\"?"}));
  j["model_type"] = "qwen2_moe";  // a different architecture: no suggestion
  d = hf_errors(j);
  EXPECT_TRUE(has_diagnostic(d, "config.json", "/model_type", {"supported: "}));
  EXPECT_EQ(d.items()[0].message.find("did you mean"), std::string::npos);
  j["model_type"] = "gpt_neox";
  d = hf_errors(j);
  EXPECT_TRUE(has_diagnostic(d, "config.json", "/model_type", {"supported: "}));
  EXPECT_EQ(d.items()[0].message.find("did you mean"), std::string::npos);
}

TEST(ScenarioHfConfig, RequiredKeysAndTypesAreChecked) {
  json j = read_json("tests/data/hf/deepseek-v3/config.json");
  j.erase("hidden_size");
  j["hiden_size"] = 7168;
  j["n_routed_experts"] = "256";
  const auto d = hf_errors(j);
  EXPECT_TRUE(has_diagnostic(d, "config.json", "",
                             {"missing required key \"hidden_size\" (a positive integer); is "
                              "\"hiden_size\" a misspelling?"}));
  EXPECT_TRUE(has_diagnostic(d, "config.json", "/n_routed_experts",
                             {"expected a non-negative integer, found \"256\" (string)"}));
}

TEST(ScenarioHfConfig, NullMeansAbsentAndFamilyDefaultsApply) {
  json j = read_json("tests/data/hf/deepseek-v2/config.json");
  j["q_lora_rank"] = nullptr;  // DeepSeek-V2-Lite
  j.erase("scoring_func");
  j.erase("n_group");
  j.erase("topk_group");
  const ModelSpec m = model_from_hf_config(j, "config.json");
  EXPECT_EQ(m.attention.q_lora_rank, 0);
  EXPECT_EQ(m.moe.gate, GateKind::kSoftmax);
  EXPECT_EQ(m.moe.num_expert_groups, 1);
  json v3 = read_json("tests/data/hf/deepseek-v3/config.json");
  v3.erase("scoring_func");
  EXPECT_EQ(model_from_hf_config(v3, "config.json").moe.gate, GateKind::kSigmoid);
}

TEST(ScenarioHfConfig, ModelProblemsAreReportedAtTheHfKeys) {
  json j = read_json("tests/data/hf/mixtral-8x7b/config.json");
  j["num_experts_per_tok"] = 9;
  EXPECT_TRUE(has_diagnostic(hf_errors(j), "config.json", "/num_experts_per_tok",
                             {"9 exceeds 8 routed experts"}));
  json ds = read_json("tests/data/hf/deepseek-v3/config.json");
  ds["n_group"] = 7;
  EXPECT_TRUE(has_diagnostic(hf_errors(ds), "config.json", "/n_group",
                             {"7 does not divide 256 routed experts"}));
}

TEST(ScenarioHfConfig, TypesListsTheFamilies) {
  const std::vector<std::string> want = {"deepseek_v3", "deepseek_v2", "llama", "qwen2", "mixtral"};
  EXPECT_EQ(hf_model_types(), want);
}

}  // namespace
}  // namespace moesim
