#pragma once
// CPU references for the MoE gate and the token permutation (kernels/moe_gate.h,
// kernels/moe_permute.h), written plainly (sorts with explicit tie rules) rather than as
// the kernels are. Throws std::invalid_argument on a bad config or sizes.
// Agreement with the kernels: routing maps, permutation and un-permutation bit for bit;
// the gate's choices exactly except on near-ties closer than the difference between
// CUDA's expf and std::exp, weights to a few float ulps.

#include <cstdint>
#include <vector>

#include "kernels/bf16.h"
#include "kernels/moe_gate.h"

namespace moesim::kernels::reference {

struct GateResult {
  std::vector<std::int32_t> indices;  // [tokens][topk], by descending biased score
  std::vector<float> weights;         // [tokens][topk]
};
GateResult moe_gate(const std::vector<float>& logits, const std::vector<float>& bias,
                    std::int64_t tokens, const MoeGateConfig& config);

// The affinity the gate uses, sigmoid in float: 1 / (1 + exp(-x)).
float gate_affinity(float logit);

struct RoutingMap {
  std::vector<std::int32_t> counts;     // [num_experts]
  std::vector<std::int32_t> offsets;    // [num_experts + 1]
  std::vector<std::int32_t> slot_rows;  // [tokens * topk], -1 for dropped slots
  std::vector<std::int32_t> row_slots;  // [offsets[num_experts]], -1 for padding
};
RoutingMap routing_map(const std::vector<std::int32_t>& indices, std::int64_t tokens, int topk,
                       int num_experts, int row_alignment);

std::vector<Bf16> permute(const std::vector<Bf16>& x, std::int64_t hidden, int topk,
                          const std::vector<std::int32_t>& row_slots);

std::vector<Bf16> unpermute(const std::vector<Bf16>& expert_out, std::int64_t hidden,
                            const std::vector<std::int32_t>& slot_rows,
                            const std::vector<float>& weights, std::int64_t tokens, int topk);

}  // namespace moesim::kernels::reference
