#pragma once
// A transformer / Mixture-of-Experts architecture as plain data. Every field is
// what a HuggingFace config.json of the DeepSeek-V2/V3, LLaMA, Qwen2 or Mixtral
// families says (names in the comments), so that import is a mapping, not a model.
// validate() collects every structural problem; it never throws.

#include <string>
#include <vector>

namespace moesim {

enum class AttentionKind {
  kGqa,  // grouped-query attention (MHA when num_kv_heads == num_heads)
  kMla,  // Multi-head Latent Attention (DeepSeek-V2/V3)
};

enum class GateKind {
  kSoftmax,  // Mixtral, Qwen-MoE, DeepSeek-V2: softmax over experts, then top-k
  kSigmoid,  // DeepSeek-V3: sigmoid affinities + balancing bias, normalised top-k
};

enum class FfnActivation {
  kSwiGlu,  // gate, up and down projections (3 matrices)
  kGelu,    // up and down projections (2 matrices)
};

struct AttentionSpec {
  AttentionKind kind = AttentionKind::kGqa;
  int num_heads = 0;        // num_attention_heads
  // GQA only.
  int num_kv_heads = 0;     // num_key_value_heads
  int head_dim = 0;         // head_dim, or hidden_size / num_attention_heads
  bool qkv_bias = false;    // Qwen2 has biases on q, k, v
  // MLA only (DeepSeek-V2 §2.1, V3TR §2.1.1).
  int q_lora_rank = 0;      // 0: full-rank query projection (DeepSeek-V2-Lite)
  int kv_lora_rank = 0;     // d_c
  int qk_nope_head_dim = 0; // d_h
  int qk_rope_head_dim = 0; // d_h^R, the decoupled RoPE part
  int v_head_dim = 0;

  // Width of one query/key head as the attention kernel sees it.
  int qk_head_dim() const {
    return kind == AttentionKind::kMla ? qk_nope_head_dim + qk_rope_head_dim : head_dim;
  }
  int value_head_dim() const { return kind == AttentionKind::kMla ? v_head_dim : head_dim; }
  bool operator==(const AttentionSpec& o) const;
};

struct MoeSpec {
  int num_routed_experts = 0;   // n_routed_experts / num_local_experts; 0: dense model
  int num_shared_experts = 0;   // n_shared_experts
  int top_k = 0;                // num_experts_per_tok
  int expert_intermediate = 0;  // moe_intermediate_size (Mixtral: intermediate_size)
  int num_expert_groups = 1;    // n_group: groups for group-limited routing
  int topk_groups = 1;          // topk_group: groups a token may use
  int first_dense_layers = 0;   // first_k_dense_replace
  int layer_freq = 1;           // moe_layer_freq
  GateKind gate = GateKind::kSoftmax;

  bool enabled() const { return num_routed_experts > 0; }
  bool operator==(const MoeSpec& o) const;
};

struct ModelSpec {
  std::string name;
  int hidden = 0;               // hidden_size
  int num_layers = 0;           // num_hidden_layers (the MTP modules are extra)
  int vocab = 0;                // vocab_size
  int dense_intermediate = 0;   // intermediate_size of dense FFN layers
  FfnActivation activation = FfnActivation::kSwiGlu;
  bool tie_embeddings = false;  // tie_word_embeddings
  AttentionSpec attention;
  MoeSpec moe;
  int mtp_depth = 0;            // num_nextn_predict_layers (V3TR §2.2)

  // True when layer i (0-based) has a MoE FFN (the HF DeepSeek rule).
  bool is_moe_layer(int i) const;
  int num_moe_layers() const;
  bool operator==(const ModelSpec& o) const;
};

// Far beyond any real model; keeps per-layer work bounded on hostile input.
constexpr int kMaxLayers = 100000;

// Every problem with a spec, as "field: what is wrong" strings whose field names
// are the JSON keys of the moesim model format (e.g. "moe/top_k: 9 exceeds ...").
std::vector<std::string> validate(const ModelSpec& m);

const char* to_string(AttentionKind k);
const char* to_string(GateKind k);
const char* to_string(FfnActivation a);

}  // namespace moesim
