#pragma once
// Reference architectures built in code from their public configs, so that the
// model tests do not depend on the scenario parser.
#include <vector>

#include "sim/model/model_spec.h"
#include "sim/model/routing.h"

namespace moesim::testing {

// Each of `experts` routed experts' Zipf(s) popularity (sim/model/routing.h).
inline std::vector<double> zipf_popularity(int experts, double s) {
  RoutingSpec r;
  r.popularity = ExpertPopularity::kZipf;
  r.zipf_exponent = s;
  return expert_popularity(r, experts);
}

inline ModelSpec deepseek_v3() {
  ModelSpec m;
  m.name = "DeepSeek-V3";
  m.hidden = 7168;
  m.num_layers = 61;
  m.vocab = 129280;
  m.dense_intermediate = 18432;
  m.attention.kind = AttentionKind::kMla;
  m.attention.num_heads = 128;
  m.attention.q_lora_rank = 1536;
  m.attention.kv_lora_rank = 512;
  m.attention.qk_nope_head_dim = 128;
  m.attention.qk_rope_head_dim = 64;
  m.attention.v_head_dim = 128;
  m.moe.num_routed_experts = 256;
  m.moe.num_shared_experts = 1;
  m.moe.top_k = 8;
  m.moe.expert_intermediate = 2048;
  m.moe.num_expert_groups = 8;
  m.moe.topk_groups = 4;
  m.moe.first_dense_layers = 3;
  m.moe.gate = GateKind::kSigmoid;
  m.mtp_depth = 1;
  return m;
}

inline ModelSpec gqa_dense(const char* name, int hidden, int layers, int vocab, int inter,
                           int heads, int kv_heads, bool qkv_bias) {
  ModelSpec m;
  m.name = name;
  m.hidden = hidden;
  m.num_layers = layers;
  m.vocab = vocab;
  m.dense_intermediate = inter;
  m.attention.kind = AttentionKind::kGqa;
  m.attention.num_heads = heads;
  m.attention.num_kv_heads = kv_heads;
  m.attention.head_dim = hidden / heads;
  m.attention.qkv_bias = qkv_bias;
  return m;
}

inline ModelSpec llama31_405b() {
  return gqa_dense("Llama-3.1-405B", 16384, 126, 128256, 53248, 128, 8, false);
}
inline ModelSpec qwen25_72b() {
  return gqa_dense("Qwen2.5-72B", 8192, 80, 152064, 29568, 64, 8, true);
}

inline ModelSpec mixtral_8x7b() {
  ModelSpec m = gqa_dense("Mixtral-8x7B", 4096, 32, 32000, 0, 32, 8, false);
  m.moe.num_routed_experts = 8;
  m.moe.top_k = 2;
  m.moe.expert_intermediate = 14336;
  return m;
}

}  // namespace moesim::testing
