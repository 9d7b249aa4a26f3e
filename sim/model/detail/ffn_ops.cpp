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


// MoE block (V3TR §2.1.2). Routed experts are split over `ep` EP ranks; with
// balanced routing each GPU runs moe_share()'s rows: its tokens x top_k,
// times etp (an ETP group runs the rows of all its members, each on 1/etp
// of the width), times the busiest rank's imbalance (ctx.expert_load), which
// the graph is sized for. The gate runs on the GPU's own tokens (sequence
// parallel); the shared experts are TP-split like a dense FFN, on the TP
// group's tokens. Gating stays in BF16/FP32 (V3TR §3.3.1); dispatch/combine
// are communication, costed in sim/cost.
void append_moe_ffn(const ModelSpec& m, const ExpandContext& ctx, std::vector<Op>& ops) {
  const auto& x = m.moe;
  const MoeShare share = moe_share(m, ctx);
  const double t = ctx.tokens, d = m.hidden, e = x.num_routed_experts, k = x.top_k;
  const double inter = share.width;
  const bool fp8 = ctx.fp8;
  const int local_experts = static_cast<int>(share.local_experts);
  const double routed = share.routed_rows;  // expert applications on this GPU
  const double tokens_per_expert = routed / share.local_experts;
  const double own = share.tokens;

  ops.push_back(make_norm("ffn.norm", t / ctx.tp, d, fp8));
  Op gate = make_gemm("moe.gate", own, e, d, 1, false, fp8);
  gate.saved = ByteCount(own * e * kFp32Bytes);  // affinities for the gate's backward
  ops.push_back(gate);
  ops.push_back(make_memory_op("moe.topk", own * e, 1, 0, 4.0));
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
    const double sinter = static_cast<double>(x.expert_intermediate) * x.num_shared_experts / ctx.tp;
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

namespace moesim {

MoeShare moe_share(const ModelSpec& m, const ExpandContext& ctx) {
  const MoeSpec& x = m.moe;
  MoeShare s;
  s.tokens = static_cast<double>(ctx.tokens) / std::max(1, ctx.tp);
  s.routed_rows = s.tokens * x.top_k * std::max(1, ctx.etp) * ctx.expert_load;
  s.local_experts = std::max(1, x.num_routed_experts / std::max(1, ctx.ep));
  s.width = static_cast<double>(x.expert_intermediate) / std::max(1, ctx.etp);
  return s;
}

}  // namespace moesim
