#pragma once
#include <vector>

#include "sim/model/layer_graph.h"

namespace moesim::detail {
// Appends the attention block of one transformer layer (norm, projections, RoPE,
// attention core, output projection, residual) for MLA or GQA.
void append_attention(const ModelSpec& m, const ExpandContext& ctx, std::vector<Op>& ops);
// Dense FFN block (norm, SwiGLU or GELU MLP, residual).
void append_dense_ffn(const ModelSpec& m, const ExpandContext& ctx, std::vector<Op>& ops);
// MoE block (norm, gate, permute, routed grouped GEMMs, shared experts, unpermute, residual).
void append_moe_ffn(const ModelSpec& m, const ExpandContext& ctx, std::vector<Op>& ops);
}  // namespace moesim::detail
