#include "sim/model/layer_graph.h"

#include "sim/model/detail/block_ops.h"
#include "sim/model/detail/op_builders.h"

namespace moesim {

namespace {

template <class F>
Work sum_work(const std::vector<Op>& ops, F member) {
  Work w;
  for (const auto& op : ops) w = w + op.*member;
  return w;
}

// Final RMSNorm, output projection (BF16: V3TR §3.3.1 keeps the head in BF16)
// and softmax cross-entropy, which keeps the logits' gradient (BF16) for backward.
void append_head(const ModelSpec& m, const ExpandContext& ctx, bool owns_weights,
                 std::vector<Op>& ops) {
  const double t = ctx.tokens, d = m.hidden, v = static_cast<double>(m.vocab) / ctx.tp;
  Op norm = detail::make_norm("head.norm", t / ctx.tp, d, false);
  ops.push_back(norm);
  Op proj = detail::make_gemm("head.proj", t, v, d, 1, false, ctx.fp8);
  if (!owns_weights) proj.params = proj.params_activated = 0;  // shared with the main head
  ops.push_back(proj);
  Op loss = detail::make_memory_op("head.loss", t * v, 1, 1, 5.0);
  loss.saved = ByteCount(t * v * detail::kBf16Bytes);
  ops.push_back(loss);
}

// Embedding lookup: a gather forward and a scatter-add into the FP32 gradient of
// the (vocab-parallel) table in W. No FLOPs by convention.
Op embedding_op(const ModelSpec& m, const ExpandContext& ctx, bool owns_weights) {
  Op op;
  op.name = "embed.lookup";
  op.kind = OpKind::kEmbedding;
  const double t = ctx.tokens, d = m.hidden;
  op.fwd = Work{Flops(), ByteCount(2.0 * t * d * detail::kBf16Bytes)};
  op.bwd_weight = Work{Flops(), ByteCount(t * d * (detail::kBf16Bytes + 2 * detail::kFp32Bytes))};
  if (owns_weights) op.params = op.params_activated = static_cast<double>(m.vocab) * d / ctx.tp;
  return op;
}

// The FP8 recipe's casts around one FP8 GEMM (V3TR §3.3.2: fine-grained
// quantization; DeepSeek's trace: per_token_cast_to_fp8, per_channel_cast_and_
// transpose). Forward quantizes the input X [rows, k]; backward-for-input the
// output gradient dY [rows, n]; backward-for-weights makes the transposed FP8
// copies of X and dY that the weight-gradient GEMM reads. Each element is read
// in BF16 and written in FP8 (3 B; scales, 1 per 128, ignored). Fusions (a
// SwiGLU that writes FP8, an FP8 dispatch) are left to the calibrated rate.
// Where the transposed copies are made follows DeepSeek's trace: dY^T in
// backward-for-input with dY's quantize (per_channel_cast_and_transpose in
// attn(B) and mlp(B)); X^T there too for dense GEMMs, but in the weight-
// gradient pass for the routed experts' grouped GEMMs (2 per layer in mlp(W)).
Op fp8_cast_op(const Op& gemm) {
  const double rows = gemm.gemm.m * gemm.gemm.groups;
  const double x = rows * gemm.gemm.k, dy = rows * gemm.gemm.n;
  constexpr double kCastBytes = detail::kBf16Bytes + detail::kFp8Bytes;
  Op op;
  op.name = gemm.name + ".fp8_cast";
  op.kind = OpKind::kFp8Cast;
  op.fwd = Work{Flops(), ByteCount(x * kCastBytes)};
  const bool grouped = gemm.kind == OpKind::kGroupedGemm;
  op.bwd_input = Work{Flops(), ByteCount((dy + dy + (grouped ? 0 : x)) * kCastBytes)};
  if (grouped) op.bwd_weight = Work{Flops(), ByteCount(x * kCastBytes)};
  op.recompute = gemm.recompute;  // recomputing the GEMM recomputes its cast
  return op;
}

// Under the FP8 recipe each FP8 GEMM is preceded by its casts.
std::vector<Op> with_fp8_casts(std::vector<Op> ops) {
  std::vector<Op> out;
  out.reserve(ops.size() * 2);
  for (Op& op : ops) {
    const bool gemm = op.kind == OpKind::kGemm || op.kind == OpKind::kGroupedGemm;
    if (gemm && op.fp8_eligible) out.push_back(fp8_cast_op(op));
    out.push_back(std::move(op));
  }
  return out;
}

}  // namespace

bool in_mlp_block(const Op& op) {
  for (const char* p : {"moe.experts.", "moe.shared.", "moe.permute", "moe.unpermute",
                        "ffn.gate_up_proj", "ffn.up_proj", "ffn.swiglu", "ffn.gelu",
                        "ffn.down_proj"})
    if (op.name.rfind(p, 0) == 0) return true;
  return false;
}

Work LayerOps::total_fwd() const { return sum_work(ops, &Op::fwd); }
Work LayerOps::total_bwd_input() const { return sum_work(ops, &Op::bwd_input); }
Work LayerOps::total_bwd_weight() const { return sum_work(ops, &Op::bwd_weight); }

double LayerOps::params() const {
  double p = 0;
  for (const auto& op : ops) p += op.params;
  return p;
}

double LayerOps::params_activated() const {
  double p = 0;
  for (const auto& op : ops) p += op.params_activated;
  return p;
}

LayerKind transformer_layer_kind(const ModelSpec& m, int i) {
  return m.is_moe_layer(i) ? LayerKind::kMoe : LayerKind::kDense;
}

LayerOps expand_layer(const ModelSpec& m, LayerKind kind, const ExpandContext& ctx) {
  LayerOps out;
  out.kind = kind;
  auto& ops = out.ops;
  switch (kind) {
    case LayerKind::kEmbedding:
      ops.push_back(embedding_op(m, ctx, true));
      break;
    case LayerKind::kDense:
      detail::append_attention(m, ctx, ops);
      detail::append_dense_ffn(m, ctx, ops);
      break;
    case LayerKind::kMoe:
      detail::append_attention(m, ctx, ops);
      detail::append_moe_ffn(m, ctx, ops);
      break;
    case LayerKind::kHead:
      append_head(m, ctx, !m.tie_embeddings, ops);
      break;
    case LayerKind::kMtp: {
      // V3TR §2.2: embed the next token (shared table), RMSNorm both inputs,
      // project [h; e] (2d -> d), one transformer block (MoE when the model is),
      // then the shared output head and its own loss.
      const double t = ctx.tokens, d = m.hidden;
      ops.push_back(embedding_op(m, ctx, false));
      ops.push_back(detail::make_norm("mtp.norm_hidden", t / ctx.tp, d, false));
      ops.push_back(detail::make_norm("mtp.norm_embed", t / ctx.tp, d, ctx.fp8));
      ops.push_back(detail::make_gemm("mtp.proj", t, d, 2.0 * d, 1, true, ctx.fp8));
      detail::append_attention(m, ctx, ops);
      if (m.moe.enabled())
        detail::append_moe_ffn(m, ctx, ops);
      else
        detail::append_dense_ffn(m, ctx, ops);
      append_head(m, ctx, false, ops);
      break;
    }
  }
  if (ctx.fp8) ops = with_fp8_casts(std::move(ops));
  return out;
}

const char* to_string(LayerKind k) {
  switch (k) {
    case LayerKind::kEmbedding: return "embedding";
    case LayerKind::kDense: return "dense";
    case LayerKind::kMoe: return "moe";
    case LayerKind::kHead: return "head";
    case LayerKind::kMtp: return "mtp";
  }
  return "?";
}

const char* to_string(OpKind k) {
  switch (k) {
    case OpKind::kGemm: return "gemm";
    case OpKind::kGroupedGemm: return "grouped_gemm";
    case OpKind::kAttention: return "attention";
    case OpKind::kMemoryBound: return "memory_bound";
    case OpKind::kEmbedding: return "embedding";
    case OpKind::kFp8Cast: return "fp8_cast";
  }
  return "?";
}

}  // namespace moesim
