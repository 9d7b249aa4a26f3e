// HuggingFace config.json -> ModelSpec for the families whose keys model_spec.h
// names. Configs carry many keys the simulator does not use (rope scaling,
// token ids, dtypes): those are ignored, and null means absent (DeepSeek-V2-Lite
// writes "q_lora_rank": null). The keys a family needs are required.
#include <algorithm>

#include "sim/scenario/detail/parts.h"
#include "sim/scenario/scenario_json.h"

namespace moesim {

namespace detail {

namespace {

enum class Family { kDeepSeekV3, kDeepSeekV2, kLlama, kQwen2, kMixtral };

const std::vector<std::pair<std::string, Family>> kFamilies = {{"deepseek_v3", Family::kDeepSeekV3},
                                                               {"deepseek_v2", Family::kDeepSeekV2},
                                                               {"llama", Family::kLlama},
                                                               {"qwen2", Family::kQwen2},
                                                               {"mixtral", Family::kMixtral}};

const auto kScoringFuncs = name_table({GateKind::kSigmoid, GateKind::kSoftmax});

// DeepSeek-V2 (arXiv 2405.04434) and V3 (arXiv 2412.19437) modeling code: MLA
// attention, routed + shared experts with group-limited routing.
void read_deepseek(ObjectReader& r, Family f, ModelSpec& m) {
  auto& a = m.attention;
  a.kind = AttentionKind::kMla;
  r.read("intermediate_size", m.dense_intermediate, kPositiveInt);
  r.read("q_lora_rank", a.q_lora_rank, kNonNegativeInt);
  r.read("kv_lora_rank", a.kv_lora_rank, kPositiveInt, kRequired);
  r.read("qk_nope_head_dim", a.qk_nope_head_dim, kPositiveInt, kRequired);
  r.read("qk_rope_head_dim", a.qk_rope_head_dim, kNonNegativeInt, kRequired);
  r.read("v_head_dim", a.v_head_dim, kPositiveInt, kRequired);
  auto& x = m.moe;
  r.read("n_routed_experts", x.num_routed_experts, kNonNegativeInt, kRequired);
  r.read("n_shared_experts", x.num_shared_experts, kNonNegativeInt);
  r.read("num_experts_per_tok", x.top_k, kPositiveInt, kRequired);
  r.read("moe_intermediate_size", x.expert_intermediate, kPositiveInt, kRequired);
  r.read("n_group", x.num_expert_groups, kPositiveInt);
  r.read("topk_group", x.topk_groups, kPositiveInt);
  r.read("first_k_dense_replace", x.first_dense_layers, kNonNegativeInt);
  r.read("moe_layer_freq", x.layer_freq, kPositiveInt);
  // The modeling code's default: V3 scores with sigmoid, V2 with softmax.
  x.gate = f == Family::kDeepSeekV3 ? GateKind::kSigmoid : GateKind::kSoftmax;
  r.read_enum("scoring_func", x.gate, kScoringFuncs);
  r.read("num_nextn_predict_layers", m.mtp_depth, kNonNegativeInt);
}

// LLaMA, Qwen2 and Mixtral: grouped-query attention; Mixtral's FFN is all MoE,
// its intermediate_size is the expert width, softmax top-k without groups.
void read_gqa_family(ObjectReader& r, Family f, ModelSpec& m) {
  auto& a = m.attention;
  a.kind = AttentionKind::kGqa;
  a.num_kv_heads = a.num_heads;
  r.read("num_key_value_heads", a.num_kv_heads, kPositiveInt);
  a.head_dim = (a.num_heads > 0 && m.hidden > 0) ? m.hidden / a.num_heads : 0;
  r.read("head_dim", a.head_dim, kPositiveInt);
  if (f == Family::kQwen2)
    a.qkv_bias = true;  // Qwen2 always biases q, k and v
  else
    r.read("attention_bias", a.qkv_bias);
  if (f == Family::kMixtral) {
    auto& x = m.moe;
    r.read("intermediate_size", x.expert_intermediate, kPositiveInt, kRequired);
    r.read("num_local_experts", x.num_routed_experts, kPositiveInt, kRequired);
    r.read("num_experts_per_tok", x.top_k, kPositiveInt, kRequired);
    x.gate = GateKind::kSoftmax;
    x.first_dense_layers = 0;
    m.dense_intermediate = 0;
  } else {
    r.read("intermediate_size", m.dense_intermediate, kPositiveInt, kRequired);
  }
}

std::vector<std::string> family_names() {
  std::vector<std::string> names;
  for (const auto& [name, family] : kFamilies) names.push_back(name);
  return names;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& hf_field_names(const ModelSpec& m) {
  static const std::vector<std::pair<std::string, std::string>> common = {
      {"hidden", "hidden_size"},
      {"layers", "num_hidden_layers"},
      {"vocab", "vocab_size"},
      {"dense_intermediate", "intermediate_size"},
      {"mtp_depth", "num_nextn_predict_layers"},
      {"attention/heads", "num_attention_heads"},
      {"attention/kv_heads", "num_key_value_heads"},
      {"attention/head_dim", "head_dim"},
      {"attention/q_lora_rank", "q_lora_rank"},
      {"attention/kv_lora_rank", "kv_lora_rank"},
      {"attention/qk_nope_head_dim", "qk_nope_head_dim"},
      {"attention/qk_rope_head_dim", "qk_rope_head_dim"},
      {"attention/v_head_dim", "v_head_dim"},
      {"moe/routed_experts", "n_routed_experts"},
      {"moe/shared_experts", "n_shared_experts"},
      {"moe/top_k", "num_experts_per_tok"},
      {"moe/expert_intermediate", "moe_intermediate_size"},
      {"moe/expert_groups", "n_group"},
      {"moe/topk_groups", "topk_group"},
      {"moe/first_dense_layers", "first_k_dense_replace"},
      {"moe/layer_freq", "moe_layer_freq"}};
  static const std::vector<std::pair<std::string, std::string>> mixtral = [] {
    auto t = common;
    for (auto& [field, key] : t) {
      if (field == "moe/routed_experts") key = "num_local_experts";
      if (field == "moe/expert_intermediate") key = "intermediate_size";
    }
    return t;
  }();
  const bool is_mixtral = m.attention.kind == AttentionKind::kGqa && m.moe.enabled();
  return is_mixtral ? mixtral : common;
}

ModelSpec parse_hf_config(const json& j, const JsonLocation& at, ParseLog& log) {
  const size_t bad_before = log.bad_values();
  ModelSpec m;
  ObjectReader r(j, at, log, "a HuggingFace config.json");
  if (!r.valid()) return m;
  r.set_lenient();
  const json* type = r.get("model_type", kRequired, "a string");
  if (!type) {
    r.finish();
    return m;
  }
  const auto names = family_names();
  const auto it = std::find(names.begin(), names.end(),
                            type->is_string() ? type->get<std::string>() : std::string());
  if (it == names.end()) {
    const std::string near =
        type->is_string() ? closest_match(type->get<std::string>(), names) : "";
    log.bad_value(at / "model_type", "unsupported model_type " + describe(*type) +
                                         "; supported: " + quoted_list(names) +
                                         (near.empty() ? "" : "; did you mean \"" + near + "\"?"));
    return m;
  }
  const Family family = kFamilies[static_cast<size_t>(it - names.begin())].second;
  m.name = *it;
  r.read("_name_or_path", m.name);
  if (m.name.empty()) m.name = *it;
  r.read("hidden_size", m.hidden, kPositiveInt, kRequired);
  r.read("num_hidden_layers", m.num_layers, kPositiveInt, kRequired);
  r.read("vocab_size", m.vocab, kPositiveInt, kRequired);
  r.read("num_attention_heads", m.attention.num_heads, kPositiveInt, kRequired);
  r.read("tie_word_embeddings", m.tie_embeddings);
  if (family == Family::kDeepSeekV3 || family == Family::kDeepSeekV2)
    read_deepseek(r, family, m);
  else
    read_gqa_family(r, family, m);
  r.finish();
  if (log.bad_values() == bad_before)
    report_field_messages(validate(m), at, log, &hf_field_names(m), &j);
  return m;
}

}  // namespace detail

std::vector<std::string> hf_model_types() { return detail::family_names(); }

ModelSpec model_from_hf_config(const nlohmann::json& j, const std::string& file) {
  detail::ParseLog log;
  ModelSpec m = detail::parse_hf_config(j, JsonLocation{file, ""}, log);
  log.diagnostics().throw_if_any();
  return m;
}

}  // namespace moesim
