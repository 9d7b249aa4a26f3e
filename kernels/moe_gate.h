#pragma once
// The MoE gate of DeepSeek-V3 (V3TR §2.1.2 eqs. 13-16, auxiliary-loss-free balancing
// §2.1.2; the reference model's Gate):
//   s[e]      = sigmoid(logit[e])                       affinity
//   c[e]      = s[e] + bias[e]                           balancing bias: selection only
//   group g   : score = sum of the 2 largest c in the group; keep the topk_groups best groups
//   experts   : the topk largest c among the kept groups' experts
//   weight_j  = s[e_j] / sum_j s[e_j] * route_scale      normalised over the chosen
// Ties go to the lower group index and to the lower expert index, so results are
// deterministic (torch.topk leaves tie order unspecified). Chosen experts are listed by
// descending c, and the weight sum runs in that order.
// CPU reference: reference::moe_gate (kernels/reference/moe_reference.h).

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/support.h"

namespace moesim::kernels {

// Defaults are V3's config: n_routed_experts 256, n_expert_groups 8, n_limited_groups 4,
// n_activated_experts 8, route_scale 2.5 (published-figures.md §1).
struct MoeGateConfig {
  int num_experts = 256;
  int num_groups = 8;
  int topk_groups = 4;
  int topk = 8;
  float route_scale = 2.5f;
};

// Validity of a config regardless of the kernel's limits (also used by the reference).
Support check_gate_config(const MoeGateConfig& c);

// REQUIRES: logits and bias finite. Limits of the kernel: num_groups <= 32, topk <= 32,
// num_experts <= 1024.
struct MoeGateParams {
  const float* logits = nullptr;  // [tokens][num_experts], the gate GEMM's FP32 output
  const float* bias = nullptr;    // [num_experts]
  std::int64_t tokens = 0;
  MoeGateConfig config;
  std::int32_t* indices = nullptr;  // [tokens][topk]
  float* weights = nullptr;         // [tokens][topk]
};
Support can_implement(const MoeGateParams& p);
void run(const MoeGateParams& p, cudaStream_t stream);

}  // namespace moesim::kernels
