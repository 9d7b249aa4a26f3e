// The moesim model format (docs/scenario-format.md, "model"): the ModelSpec
// fields under the key names of scenarios/models/*.json.
#include "sim/scenario/detail/parts.h"

namespace moesim::detail {

namespace {

const auto kAttentionKinds = name_table({AttentionKind::kMla, AttentionKind::kGqa});
const auto kGates = name_table({GateKind::kSigmoid, GateKind::kSoftmax});
const auto kActivations = name_table({FfnActivation::kSwiGlu, FfnActivation::kGelu});

const std::vector<std::string> kMlaKeys = {"q_lora_rank", "kv_lora_rank", "qk_nope_head_dim",
                                           "qk_rope_head_dim", "v_head_dim"};
const std::vector<std::string> kGqaKeys = {"kv_heads", "head_dim", "qkv_bias"};

void read_gqa(ObjectReader& r, int hidden, AttentionSpec& a) {
  a.num_kv_heads = a.num_heads;  // MHA unless told otherwise
  a.head_dim = (a.num_heads > 0 && hidden > 0) ? hidden / a.num_heads : 0;
  r.read("kv_heads", a.num_kv_heads, kPositiveInt);
  r.read("head_dim", a.head_dim, kPositiveInt);
  r.read("qkv_bias", a.qkv_bias);
  for (const auto& k : kMlaKeys) r.reject(k, "applies to \"mla\" attention only (kind is \"gqa\")");
}

void read_mla(ObjectReader& r, AttentionSpec& a) {
  r.read("q_lora_rank", a.q_lora_rank, kNonNegativeInt);
  r.read("kv_lora_rank", a.kv_lora_rank, kPositiveInt, kRequired);
  r.read("qk_nope_head_dim", a.qk_nope_head_dim, kPositiveInt, kRequired);
  r.read("qk_rope_head_dim", a.qk_rope_head_dim, kNonNegativeInt, kRequired);
  r.read("v_head_dim", a.v_head_dim, kPositiveInt, kRequired);
  for (const auto& k : kGqaKeys) r.reject(k, "applies to \"gqa\" attention only (kind is \"mla\")");
}

AttentionSpec read_attention(const json& j, const JsonLocation& at, int hidden, ParseLog& log) {
  AttentionSpec a;
  ObjectReader r(j, at, log, "the attention block");
  if (!r.valid()) return a;
  const bool kind_known = r.read_enum("kind", a.kind, kAttentionKinds, kRequired);
  r.read("heads", a.num_heads, kPositiveInt, kRequired);
  if (!kind_known) {
    // Without a kind the other keys cannot be judged; accept them silently.
    for (const auto& k : kMlaKeys) r.ignore(k);
    for (const auto& k : kGqaKeys) r.ignore(k);
  } else if (a.kind == AttentionKind::kGqa) {
    read_gqa(r, hidden, a);
  } else {
    read_mla(r, a);
  }
  r.finish();
  return a;
}

MoeSpec read_moe(const json& j, const JsonLocation& at, ParseLog& log) {
  MoeSpec m;
  ObjectReader r(j, at, log, "the MoE block");
  if (!r.valid()) return m;
  r.read("routed_experts", m.num_routed_experts, kNonNegativeInt, kRequired);
  r.read("shared_experts", m.num_shared_experts, kNonNegativeInt);
  r.read("top_k", m.top_k, kPositiveInt, kRequired);
  r.read("expert_intermediate", m.expert_intermediate, kPositiveInt, kRequired);
  r.read("expert_groups", m.num_expert_groups, kPositiveInt);
  r.read("topk_groups", m.topk_groups, kPositiveInt);
  r.read("first_dense_layers", m.first_dense_layers, kNonNegativeInt);
  r.read("layer_freq", m.layer_freq, kPositiveInt);
  r.read_enum("gate", m.gate, kGates);
  r.finish();
  return m;
}

}  // namespace

bool is_hf_config(const json& j) { return j.is_object() && j.contains("model_type"); }

ModelSpec parse_moesim_model(const json& j, const JsonLocation& at, ParseLog& log) {
  const size_t bad_before = log.bad_values();
  ModelSpec m;
  ObjectReader r(j, at, log, "a model");
  if (!r.valid()) return m;
  r.read("name", m.name, kRequired);
  r.ignore("source");
  r.read("hidden", m.hidden, kPositiveInt, kRequired);
  r.read("layers", m.num_layers, kPositiveInt, kRequired);
  r.read("vocab", m.vocab, kPositiveInt, kRequired);
  r.read("dense_intermediate", m.dense_intermediate, kNonNegativeInt);
  r.read_enum("activation", m.activation, kActivations);
  r.read("tie_embeddings", m.tie_embeddings);
  if (const json* a = r.get("attention", kRequired, "an object"))
    m.attention = read_attention(*a, at / "attention", m.hidden, log);
  if (const json* x = r.get("moe", kOptional, "an object")) m.moe = read_moe(*x, at / "moe", log);
  r.read("mtp_depth", m.mtp_depth, kNonNegativeInt);
  r.finish();
  if (log.bad_values() == bad_before) report_field_messages(validate(m), at, log, nullptr, &j);
  return m;
}

ModelSpec parse_model(const json& j, const JsonLocation& at, ParseLog& log) {
  return is_hf_config(j) ? parse_hf_config(j, at, log) : parse_moesim_model(j, at, log);
}

}  // namespace moesim::detail
