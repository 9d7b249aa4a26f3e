#include <algorithm>

#include "sim/model/detail/block_ops.h"
#include "sim/model/detail/op_builders.h"

namespace moesim::detail {

void append_dense_ffn(const ModelSpec& m, const ExpandContext& ctx, std::vector<Op>& ops) {
  const double t = ctx.tokens, d = m.hidden;
  const double inter = static_cast<double>(m.dense_intermediate) / ctx.tp;
  const bool fp8 = ctx.fp8;
  ops.push_back(make_norm("ffn.norm", t / ctx.tp, d, ctx.fp8));
  const bool glu = m.activation == FfnActivation::kSwiGlu;
  Op up = make_gemm(glu ? "ffn.gate_up_proj" : "ffn.up_proj", t, (glu ? 2.0 : 1.0) * inter, d,
                    1, true, fp8);
  // V3TR §3.3.3: SwiGLU inputs are cached (FP8 under the FP8 recipe).
  up.saved = ByteCount(t * (glu ? 2.0 : 1.0) * inter * cached_bytes(ctx.fp8));
  ops.push_back(up);
  Op act = make_memory_op(glu ? "ffn.swiglu" : "ffn.gelu", t * inter, glu ? 2 : 1, 1, 8.0);
  act.saved = ByteCount(t * inter * cached_bytes(ctx.fp8));
  act.recompute = RecomputeGroup::kSwiGlu;
  ops.push_back(act);
  ops.push_back(make_gemm("ffn.down_proj", t, d, inter, 1, true, fp8));
  ops.push_back(make_residual("ffn.residual", t / ctx.tp, d));
}


// MoE block (V3TR §2.1.2). Routed experts are split over `ep` GPUs; with balanced
// routing each GPU's E/ep experts receive T*top_k*ep/E tokens each, so the
// per-GPU routed work equals T*top_k expert applications; the routing model's
// imbalance scales that by ctx.expert_load for the busiest GPU, which the
// graph is sized for. Gating stays in BF16/FP32
// (V3TR §3.3.1); dispatch/combine are communication, costed in sim/cost.
void append_moe_ffn(const ModelSpec& m, const ExpandContext& ctx, std::vector<Op>& ops) {
  const auto& x = m.moe;
  const double t = ctx.tokens, d = m.hidden, e = x.num_routed_experts, k = x.top_k;
  const double inter = x.expert_intermediate;
  const bool fp8 = ctx.fp8;
  const int local_experts = std::max(1, x.num_routed_experts / std::max(1, ctx.ep));
  const double tokens_per_expert = t * k * ctx.ep / e * ctx.expert_load;
  const double routed = t * k * ctx.expert_load;  // expert applications on this GPU

  ops.push_back(make_norm("ffn.norm", t / ctx.tp, d, fp8));
  Op gate = make_gemm("moe.gate", t, e, d, 1, false, fp8);
  gate.saved = ByteCount(t * e * kFp32Bytes);  // affinities for the gate's backward
  ops.push_back(gate);
  ops.push_back(make_memory_op("moe.topk", t * e, 1, 0, 4.0));
  // A permutation's gradient is the inverse permutation: backward moves the
  // same bytes as forward (not the 2x of make_memory_op's elementwise rule).
  Op permute = make_memory_op("moe.permute", routed * d, 1, 1, 0.0);
  permute.bwd_input = permute.fwd;
  permute.saved = ByteCount(routed * d * cached_bytes(fp8));  // expert GEMM inputs
  ops.push_back(permute);

  Op up = make_gemm("moe.experts.gate_up_proj", tokens_per_expert, 2.0 * inter, d,
                    local_experts, true, fp8);
  up.kind = OpKind::kGroupedGemm;
  up.saved = ByteCount(routed * 2.0 * inter * cached_bytes(fp8));
  up.params_activated = up.params * k / e;
  ops.push_back(up);
  Op act = make_memory_op("moe.experts.swiglu", routed * inter, 2, 1, 8.0);
  act.saved = ByteCount(routed * inter * cached_bytes(fp8));
  act.recompute = RecomputeGroup::kSwiGlu;
  ops.push_back(act);
  Op down = make_gemm("moe.experts.down_proj", tokens_per_expert, d, inter, local_experts, true,
                      fp8);
  down.kind = OpKind::kGroupedGemm;
  down.params_activated = down.params * k / e;
  ops.push_back(down);
  Op unpermute = make_memory_op("moe.unpermute", routed * d, 1, 1, 2.0);
  unpermute.bwd_input = unpermute.fwd;  // the inverse gather (as for the permute)
  ops.push_back(unpermute);

  if (x.num_shared_experts > 0) {
    const double sinter = inter * x.num_shared_experts / ctx.tp;
    Op sup = make_gemm("moe.shared.gate_up_proj", t, 2.0 * sinter, d, 1, true, fp8);
    sup.saved = ByteCount(t * 2.0 * sinter * cached_bytes(fp8));
    ops.push_back(sup);
    Op sact = make_memory_op("moe.shared.swiglu", t * sinter, 2, 1, 8.0);
    sact.saved = ByteCount(t * sinter * cached_bytes(fp8));
    sact.recompute = RecomputeGroup::kSwiGlu;
    ops.push_back(sact);
    ops.push_back(make_gemm("moe.shared.down_proj", t, d, sinter, 1, true, fp8));
  }
  ops.push_back(make_residual("ffn.residual", t / ctx.tp, d));
}

}  // namespace moesim::detail
