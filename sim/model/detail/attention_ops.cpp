#include "sim/model/detail/block_ops.h"

#include <algorithm>

#include "sim/model/detail/op_builders.h"

namespace moesim::detail {

namespace {

// Causal attention core over `heads` query heads. Pairs per head = T (S + 1) / 2;
// QK^T costs 2 dqk and PV 2 dv FLOPs per pair; backward 2x forward (model FLOPs).
// Under context parallelism T is the rank's tokens and the keys and values
// of all `cp` ranks are read.
Op attention_core(double tokens, double seq, double heads, double kv_heads, double dqk,
                  double dv, double cp) {
  Op op;
  op.name = "attn.core";
  op.kind = OpKind::kAttention;
  const double pairs = tokens * (seq + 1.0) / 2.0;
  const Flops f = FlopCount(2.0 * heads * (dqk + dv) * pairs);
  const double qkvo =
      tokens * (heads * dqk + cp * kv_heads * (dqk + dv) + heads * dv) * kBf16Bytes;
  op.fwd = Work{f, ByteCount(qkvo)};
  op.bwd_input = Work{f * 2.0, ByteCount(2.5 * qkvo)};
  // Backward keeps the output and the FP32 log-sum-exp per row.
  op.saved = ByteCount(tokens * heads * (dv * kBf16Bytes + kFp32Bytes));
  return op;
}

}  // namespace

void append_attention(const ModelSpec& m, const ExpandContext& ctx, std::vector<Op>& ops) {
  const auto& a = m.attention;
  const double t = ctx.tokens, d = m.hidden, tp = ctx.tp;
  const double hl = static_cast<double>(a.num_heads) / tp;
  const bool fp8 = ctx.fp8;

  ops.push_back(make_norm("attn.norm", t / tp, d, ctx.fp8));
  if (a.kind == AttentionKind::kMla) {
    // V3TR §2.1.1: c_Q = W_DQ h, [c_KV; k_R] = W_DKV h (fused down-projection,
    // the DeepGEMM shape N = 1536 + 576), then norms and up-projections.
    const double q_lora = a.q_lora_rank, kv_lora = a.kv_lora_rank;
    const double nope = a.qk_nope_head_dim, rope = a.qk_rope_head_dim, vd = a.v_head_dim;
    const double down_n = q_lora + kv_lora + rope;
    Op down = make_gemm("mla.qkv_a_proj", t, down_n, d, 1, true, fp8);
    down.saved = ByteCount(t * down_n * kBf16Bytes);  // norm inputs
    ops.push_back(down);
    if (a.q_lora_rank > 0) {
      ops.push_back(make_norm("mla.q_norm", t, q_lora, ctx.fp8));
    } else {
      // DeepSeek-V2-Lite: full-rank query projection straight from h.
      Op q = make_gemm("mla.q_proj", t, hl * (nope + rope), d, 1, true, fp8);
      q.saved = ByteCount(t * hl * (nope + rope) * kBf16Bytes);
      q.recompute = RecomputeGroup::kMlaUpProj;
      ops.push_back(q);
    }
    ops.push_back(make_norm("mla.kv_norm", t, kv_lora, ctx.fp8));
    if (a.q_lora_rank > 0) {
      Op qb = make_gemm("mla.q_b_proj", t, hl * (nope + rope), q_lora, 1, true, fp8);
      qb.saved = ByteCount(t * hl * (nope + rope) * kBf16Bytes);
      qb.recompute = RecomputeGroup::kMlaUpProj;
      ops.push_back(qb);
    }
    // Under CP with a gathered latent, every rank up-projects all cp ranks' rows.
    const double kv_rows = ctx.cp_latent ? t * ctx.cp : t;
    Op kvb = make_gemm("mla.kv_b_proj", kv_rows, hl * (nope + vd), kv_lora, 1, true, fp8);
    kvb.saved = ByteCount(kv_rows * hl * (nope + vd) * kBf16Bytes);
    kvb.recompute = RecomputeGroup::kMlaUpProj;
    ops.push_back(kvb);
    ops.push_back(make_memory_op("attn.rope", t * (hl + 1.0) * rope, 1, 1, 6.0));
    ops.push_back(attention_core(t, ctx.seq_len, hl, hl, nope + rope, vd, ctx.cp));
    Op o = make_gemm("attn.o_proj", t, d, hl * vd, 1, true, fp8);
    // V3TR §3.3.3: the o_proj input is cached (E5M6 under FP8) for its Wgrad.
    o.saved = ByteCount(t * hl * vd * cached_bytes(ctx.fp8));
    ops.push_back(o);
  } else {
    const double hd = a.head_dim;
    const double kvl = std::max(1.0, static_cast<double>(a.num_kv_heads) / tp);
    const double qkv_n = (hl + 2.0 * kvl) * hd;
    Op qkv = make_gemm("gqa.qkv_proj", t, qkv_n, d, 1, true, fp8);
    if (a.qkv_bias) {
      qkv.params += qkv_n;
      qkv.params_activated += qkv_n;
    }
    qkv.saved = ByteCount(t * qkv_n * kBf16Bytes);
    ops.push_back(qkv);
    ops.push_back(make_memory_op("attn.rope", t * (hl + kvl) * hd, 1, 1, 6.0));
    ops.push_back(attention_core(t, ctx.seq_len, hl, kvl, hd, hd, ctx.cp));
    Op o = make_gemm("attn.o_proj", t, d, hl * hd, 1, true, fp8);
    o.saved = ByteCount(t * hl * hd * cached_bytes(ctx.fp8));
    ops.push_back(o);
  }
  ops.push_back(make_residual("attn.residual", t / tp, d));
}

}  // namespace moesim::detail
