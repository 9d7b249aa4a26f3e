#include "sim/model/model_spec.h"

#include <algorithm>
#include <string>

namespace moesim {

bool AttentionSpec::operator==(const AttentionSpec& o) const {
  return kind == o.kind && num_heads == o.num_heads && num_kv_heads == o.num_kv_heads &&
         head_dim == o.head_dim && qkv_bias == o.qkv_bias && q_lora_rank == o.q_lora_rank &&
         kv_lora_rank == o.kv_lora_rank && qk_nope_head_dim == o.qk_nope_head_dim &&
         qk_rope_head_dim == o.qk_rope_head_dim && v_head_dim == o.v_head_dim;
}

bool MoeSpec::operator==(const MoeSpec& o) const {
  return num_routed_experts == o.num_routed_experts &&
         num_shared_experts == o.num_shared_experts && top_k == o.top_k &&
         expert_intermediate == o.expert_intermediate &&
         num_expert_groups == o.num_expert_groups && topk_groups == o.topk_groups &&
         first_dense_layers == o.first_dense_layers && layer_freq == o.layer_freq &&
         gate == o.gate;
}

bool ModelSpec::operator==(const ModelSpec& o) const {
  return name == o.name && hidden == o.hidden && num_layers == o.num_layers &&
         vocab == o.vocab && dense_intermediate == o.dense_intermediate &&
         activation == o.activation && tie_embeddings == o.tie_embeddings &&
         attention == o.attention && moe == o.moe && mtp_depth == o.mtp_depth;
}

bool ModelSpec::is_moe_layer(int i) const {
  if (!moe.enabled()) return false;
  return i >= moe.first_dense_layers && moe.layer_freq > 0 && i % moe.layer_freq == 0;
}

int ModelSpec::num_moe_layers() const {
  // Layers i in [first_dense_layers, num_layers) with i % layer_freq == 0.
  if (!moe.enabled() || moe.layer_freq <= 0) return 0;
  const int first = std::max(0, moe.first_dense_layers);
  if (first >= num_layers) return 0;
  const int f = moe.layer_freq;
  const int start = (first + f - 1) / f * f;  // first multiple of f at or after `first`
  return start >= num_layers ? 0 : (num_layers - 1 - start) / f + 1;
}

namespace {
void positive(std::vector<std::string>& e, const char* field, int v) {
  if (v <= 0) e.push_back(std::string(field) + ": must be a positive integer, found " +
                          std::to_string(v));
}

// Upper bounds on the sizes that drive memory and time (routing samples per
// expert, op shapes multiply), each far above any published model.
void at_most(std::vector<std::string>& e, const char* field, int v, int max, const char* why) {
  if (v > max)
    e.push_back(std::string(field) + ": " + std::to_string(v) + " exceeds the supported maximum of " +
                std::to_string(max) + " (" + why + ")");
}

void check_sizes(const ModelSpec& m, std::vector<std::string>& e) {
  constexpr int kDim = 1 << 20;  // 1,048,576: 64x Llama 3 405B's hidden 16,384
  at_most(e, "hidden", m.hidden, kDim, "64x Llama 3 405B's 16,384");
  at_most(e, "vocab", m.vocab, 1 << 24, "128x Llama 3's 128,256");
  at_most(e, "dense_intermediate", m.dense_intermediate, 1 << 22, "79x Llama 3 405B's 53,248");
  const auto& a = m.attention;
  at_most(e, "attention/heads", a.num_heads, 1 << 16, "512x the 128 of V3 and Llama 3 405B");
  at_most(e, "attention/kv_heads", a.num_kv_heads, 1 << 16, "as heads");
  at_most(e, "attention/head_dim", a.head_dim, 1 << 16, "as heads");
  at_most(e, "attention/q_lora_rank", a.q_lora_rank, kDim, "as hidden");
  at_most(e, "attention/kv_lora_rank", a.kv_lora_rank, kDim, "as hidden");
  at_most(e, "attention/qk_nope_head_dim", a.qk_nope_head_dim, 1 << 16, "as heads");
  at_most(e, "attention/qk_rope_head_dim", a.qk_rope_head_dim, 1 << 16, "as heads");
  at_most(e, "attention/v_head_dim", a.v_head_dim, 1 << 16, "as heads");
  at_most(e, "mtp_depth", m.mtp_depth, 64, "V3 uses 1");
  const auto& x = m.moe;
  at_most(e, "moe/routed_experts", x.num_routed_experts, 4096,
          "16x V3's 256; routing samples every expert of every token's chosen groups");
  at_most(e, "moe/top_k", x.top_k, 256, "32x V3's 8");
  at_most(e, "moe/shared_experts", x.num_shared_experts, 4096, "as routed experts");
  at_most(e, "moe/expert_intermediate", x.expert_intermediate, 1 << 22, "as dense_intermediate");
}
}  // namespace

std::vector<std::string> validate(const ModelSpec& m) {
  std::vector<std::string> e;
  positive(e, "hidden", m.hidden);
  positive(e, "layers", m.num_layers);
  positive(e, "vocab", m.vocab);
  if (m.mtp_depth < 0) e.push_back("mtp_depth: must be >= 0");
  const auto& a = m.attention;
  positive(e, "attention/heads", a.num_heads);
  if (a.kind == AttentionKind::kGqa) {
    positive(e, "attention/kv_heads", a.num_kv_heads);
    positive(e, "attention/head_dim", a.head_dim);
    if (a.num_kv_heads > 0 && a.num_heads > 0 && a.num_heads % a.num_kv_heads != 0)
      e.push_back("attention/kv_heads: " + std::to_string(a.num_kv_heads) +
                  " does not divide " + std::to_string(a.num_heads) + " heads");
  } else {
    if (a.q_lora_rank < 0) e.push_back("attention/q_lora_rank: must be >= 0 (0 = no LoRA)");
    positive(e, "attention/kv_lora_rank", a.kv_lora_rank);
    positive(e, "attention/qk_nope_head_dim", a.qk_nope_head_dim);
    if (a.qk_rope_head_dim < 0) e.push_back("attention/qk_rope_head_dim: must be >= 0");
    positive(e, "attention/v_head_dim", a.v_head_dim);
  }
  check_sizes(m, e);
  if (m.num_layers > kMaxLayers)
    e.push_back("layers: " + std::to_string(m.num_layers) + " exceeds the supported maximum of " +
                std::to_string(kMaxLayers));
  const bool any_dense = m.num_layers > 0 && m.num_moe_layers() < m.num_layers;
  if (any_dense) positive(e, "dense_intermediate", m.dense_intermediate);
  if (m.moe.enabled()) {
    const auto& x = m.moe;
    positive(e, "moe/top_k", x.top_k);
    positive(e, "moe/expert_intermediate", x.expert_intermediate);
    positive(e, "moe/expert_groups", x.num_expert_groups);
    positive(e, "moe/layer_freq", x.layer_freq);
    if (x.num_shared_experts < 0) e.push_back("moe/shared_experts: must be >= 0");
    if (x.top_k > x.num_routed_experts)
      e.push_back("moe/top_k: " + std::to_string(x.top_k) + " exceeds " +
                  std::to_string(x.num_routed_experts) + " routed experts");
    if (x.num_expert_groups > 0 && x.num_routed_experts % x.num_expert_groups != 0)
      e.push_back("moe/expert_groups: " + std::to_string(x.num_expert_groups) +
                  " does not divide " + std::to_string(x.num_routed_experts) + " routed experts");
    if (x.topk_groups <= 0 || x.topk_groups > x.num_expert_groups)
      e.push_back("moe/topk_groups: must be in 1.." + std::to_string(x.num_expert_groups));
    else if (x.num_expert_groups > 0 &&
             x.topk_groups * (x.num_routed_experts / x.num_expert_groups) < x.top_k)
      e.push_back("moe/topk_groups: " + std::to_string(x.topk_groups) +
                  " groups hold fewer experts than top_k = " + std::to_string(x.top_k));
    if (x.first_dense_layers < 0 || x.first_dense_layers > m.num_layers)
      e.push_back("moe/first_dense_layers: must be in 0..layers");
  } else if (m.moe.num_routed_experts < 0) {
    e.push_back("moe/routed_experts: must be >= 0");
  }
  return e;
}

const char* to_string(AttentionKind k) { return k == AttentionKind::kMla ? "mla" : "gqa"; }
const char* to_string(GateKind k) { return k == GateKind::kSigmoid ? "sigmoid" : "softmax"; }
const char* to_string(FfnActivation a) { return a == FfnActivation::kGelu ? "gelu" : "swiglu"; }

}  // namespace moesim
