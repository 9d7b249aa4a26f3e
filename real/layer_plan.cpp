#include "real/layer_plan.h"

#include <cmath>
#include <cstdint>
#include <sstream>

#include "kernels/fp8_layout.h"
#include "kernels/gemm.h"
#include "kernels/grouped_gemm.h"

namespace moesim::real {

namespace {

namespace k = moesim::kernels;

constexpr std::int64_t kV3Seq = 4096;  // V3TR §4.2: pre-training sequence length

// can_implement() also checks pointers for null and 16-byte alignment; the plan asks only
// about shapes (as real/profile_plan.cpp does).
template <typename T>
T* shape_only() {
  return reinterpret_cast<T*>(std::uintptr_t{1} << 28);
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// v x scale, which must be whole and a multiple of `multiple` for `why`.
std::int64_t scaled(const char* width, std::int64_t v, double scale, std::int64_t multiple,
                    const char* why) {
  const double x = static_cast<double>(v) * scale;
  const std::int64_t r = std::llround(x);
  if (std::fabs(x - static_cast<double>(r)) > 1e-6 || r <= 0)
    throw UsageError("--scale " + number(scale) + ": " + width + " " + std::to_string(v) +
                     " x " + number(scale) + " = " + number(x) + " is not a whole number");
  if (r % multiple != 0)
    throw UsageError("--scale " + number(scale) + ": " + width + " " + std::to_string(v) +
                     " x " + number(scale) + " = " + std::to_string(r) +
                     " is not a multiple of " + std::to_string(multiple) + " (" + why +
                     "); try a power of two down to 1/8");
  return r;
}

k::LinearPass kernel_pass(GemmPassCode p) {
  return p == GemmPassCode::kForward    ? k::LinearPass::kForward
         : p == GemmPassCode::kDataGrad ? k::LinearPass::kDataGrad
                                        : k::LinearPass::kWeightGrad;
}

LayerPass pass_of(GemmPassCode p) {
  return p == GemmPassCode::kForward    ? LayerPass::kForward
         : p == GemmPassCode::kDataGrad ? LayerPass::kBackwardInput
                                        : LayerPass::kBackwardWeight;
}

k::Support gemm_support(const LayerOp& op, const LayerDims& d) {
  const k::LinearPass pass = kernel_pass(op.gemm);
  if (op.kernel == LayerKernel::kGroupedFp8Gemm) {
    // Even routing, each expert's rows padded to 128 as the routing map pads them.
    const std::int64_t per = k::round_up(k::ceil_div(op.tokens, op.groups), k::kFp8TileSize);
    std::vector<std::int32_t> offsets(op.groups + 1);
    for (int e = 0; e <= op.groups; ++e) offsets[e] = static_cast<std::int32_t>(e * per);
    k::GroupedFp8GemmParams p;
    p.pass = pass;
    p.experts = op.groups;
    p.row_offsets = offsets.data();
    p.in_features = op.in;
    p.out_features = op.out;
    p.a = shape_only<std::uint8_t>();
    p.a_scales = shape_only<float>();
    p.b = shape_only<std::uint8_t>();
    p.b_scales = shape_only<float>();
    p.d = shape_only<void>();
    (void)d;
    return k::can_implement(p);
  }
  const k::GemmShape g = k::linear_gemm_shape(pass, op.tokens, op.in, op.out);
  const k::GemmOutput out = op.fp32_output ? k::GemmOutput::kFloat32 : k::GemmOutput::kBf16;
  if (op.kernel == LayerKernel::kFp8Gemm)
    return k::can_implement(k::Fp8GemmParams{shape_only<std::uint8_t>(), shape_only<float>(),
                                             g.a, shape_only<std::uint8_t>(),
                                             shape_only<float>(), g.b, shape_only<void>(), out,
                                             g.m, g.n, g.k});
  return k::can_implement(k::Bf16GemmParams{shape_only<k::Bf16>(), shape_only<k::Bf16>(),
                                            shape_only<void>(), out, g.m, g.n, g.k});
}

struct Planner {
  const LayerDims& d;
  std::vector<LayerOp> ops;

  LayerOp& add(const std::string& name, LayerPass pass, LayerKernel kernel) {
    LayerOp op;
    op.name = name;
    op.pass = pass;
    op.kernel = kernel;
    ops.push_back(op);
    return ops.back();
  }
  void skip(const std::string& name, LayerPass pass, const std::string& reason) {
    add(name, pass, LayerKernel::kNone).reason = reason;
  }
  // One GEMM of a Linear; an untileable one is listed as skipped with the kernel's reason.
  void gemm(const std::string& name, GemmPassCode g, LayerKernel kernel, std::int64_t tokens,
            std::int64_t in, std::int64_t out, int groups = 1, bool fp32_output = false) {
    LayerOp& op = add(name, pass_of(g), kernel);
    op.gemm = g;
    op.tokens = tokens;
    op.in = in;
    op.out = out;
    op.groups = groups;
    op.fp32_output = fp32_output;
    const k::Support s = gemm_support(op, d);
    if (!s.ok()) {
      op.kernel = LayerKernel::kNone;
      op.reason = "the FP8 recipe cannot tile it: " + s.reason;
    }
  }
  void rows_cols(const std::string& name, LayerPass pass, LayerKernel kernel, std::int64_t rows,
                 std::int64_t cols) {
    LayerOp& op = add(name, pass, kernel);
    op.rows = rows;
    op.cols = cols;
  }
  void rope(const std::string& name, LayerPass pass, std::int64_t heads, std::int64_t head_stride,
            std::int64_t token_stride, std::int64_t offset) {
    LayerOp& op = add(name, pass,
                      pass == LayerPass::kForward ? LayerKernel::kRope : LayerKernel::kRopeBackward);
    op.rows = d.tokens;
    op.heads = heads;
    op.head_stride = head_stride;
    op.token_stride = token_stride;
    op.rope_offset = offset;
  }
  void attention(LayerPass pass) {
    LayerOp& op = add("attn.core", pass,
                      pass == LayerPass::kForward ? LayerKernel::kMlaAttention
                                                  : LayerKernel::kMlaAttentionBackward);
    op.batch = d.batch;
    op.seq = d.seq;
    op.heads = d.heads;
  }
};

}  // namespace

const char* layer_pass_code(LayerPass p) {
  switch (p) {
    case LayerPass::kForward: return "F";
    case LayerPass::kBackwardInput: return "B";
    case LayerPass::kBackwardWeight: return "W";
  }
  return "?";
}

const char* layer_kernel_name(LayerKernel kk) {
  switch (kk) {
    case LayerKernel::kNone: return "none";
    case LayerKernel::kFp8Gemm: return "fp8_gemm";
    case LayerKernel::kBf16Gemm: return "bf16_gemm";
    case LayerKernel::kGroupedFp8Gemm: return "grouped_fp8_gemm";
    case LayerKernel::kRmsNorm: return "rmsnorm";
    case LayerKernel::kRmsNormBackward: return "rmsnorm_backward";
    case LayerKernel::kSwiglu: return "swiglu";
    case LayerKernel::kSwigluBackward: return "swiglu_backward";
    case LayerKernel::kRope: return "rope";
    case LayerKernel::kRopeBackward: return "rope_backward";
    case LayerKernel::kMlaAttention: return "mla_attention";
    case LayerKernel::kMlaAttentionBackward: return "mla_attention_backward";
    case LayerKernel::kMoeGate: return "moe_gate";
    case LayerKernel::kRoutingMap: return "routing_map";
    case LayerKernel::kPermute: return "permute";
    case LayerKernel::kUnpermute: return "unpermute";
  }
  return "?";
}

LayerDims layer_dims(LayerKindOption kind, double scale, std::int64_t tokens) {
  LayerDims d;
  d.kind = kind;
  d.scale = scale;
  d.tokens = tokens;
  if (tokens <= 0 || tokens % 128 != 0)
    throw UsageError("--tokens: " + std::to_string(tokens) + " is not a positive multiple of 128");
  d.seq = tokens < kV3Seq ? tokens : kV3Seq;
  if (tokens % d.seq != 0)
    throw UsageError("--tokens: " + std::to_string(tokens) +
                     " above 4096 must be whole 4096-token sequences (V3's pre-training length)");
  d.batch = tokens / d.seq;
  d.hidden = scaled("hidden", d.hidden, scale, 128,
                    "FP8 1x128 tiles along hidden: K of mla.qkv_a_proj, of the gate_up GEMMs and "
                    "of the down/o_proj data gradients");
  // q_b_proj's data gradient contracts over heads x 192: a multiple of 128 for even heads.
  d.heads = scaled("heads", d.heads, scale, 2,
                   "mla.q_b_proj's data gradient contracts over heads x 192, which the FP8 "
                   "recipe tiles by 128");
  if (kind == LayerKindOption::kDense) {
    d.dense_intermediate = scaled("dense intermediate", d.dense_intermediate, scale, 128,
                                  "FP8 1x128 tiles: K of ffn.down_proj");
    d.experts = 0;
    d.topk = 0;
    d.shared_experts = 0;
  } else {
    d.moe_intermediate = scaled("expert intermediate", d.moe_intermediate, scale, 128,
                                "FP8 1x128 tiles: K of the experts' down_proj");
    // Each group's score is the sum of its 2 best experts, and the kept groups must hold
    // at least top-k experts: 8 groups x max(2, topk / topk_groups) experts at least.
    d.experts = static_cast<int>(
        scaled("routed experts", d.experts, scale, d.expert_groups,
               "the gate's 8 expert groups must be equal; also the gate GEMM's output columns"));
    const int per_group = d.experts / d.expert_groups;
    if (per_group < 2 || per_group * d.topk_groups < d.topk)
      throw UsageError("--scale " + number(scale) + ": " + std::to_string(d.experts) +
                       " routed experts leave " + std::to_string(per_group) +
                       " per group; the gate needs at least 2 per group and top-8 among the 4 "
                       "kept groups (scale >= 1/8)");
  }
  return d;
}

std::vector<LayerOp> plan_layer(const LayerDims& d) {
  Planner p{d, {}};
  const std::int64_t T = d.tokens, H = d.hidden, nh = d.heads;
  const std::int64_t qk = d.qk_nope_head_dim + d.qk_rope_head_dim;
  const std::int64_t kv_a_out = d.kv_lora_rank + d.qk_rope_head_dim;  // [kv_c | k_pe]
  const std::int64_t qkv_a_out = d.q_lora_rank + kv_a_out;             // 2112 at V3
  const std::int64_t kvb_out = nh * (d.qk_nope_head_dim + d.v_head_dim);
  const bool moe = d.kind == LayerKindOption::kMoe;
  const std::int64_t I = moe ? d.moe_intermediate : d.dense_intermediate;
  const std::int64_t SI = d.moe_intermediate * d.shared_experts;
  const std::int64_t routed = T * d.topk;
  const LayerKernel F8 = LayerKernel::kFp8Gemm;
  const LayerKernel G8 = LayerKernel::kGroupedFp8Gemm;
  const LayerPass F = LayerPass::kForward, B = LayerPass::kBackwardInput;
  const GemmPassCode fw = GemmPassCode::kForward, dg = GemmPassCode::kDataGrad,
                     wg = GemmPassCode::kWeightGrad;
  const char* const kResidual =
      "no kernel in kernels/ for the residual add (an elementwise BF16 add)";

  // ---- F ----
  p.rows_cols("attn.norm", F, LayerKernel::kRmsNorm, T, H);
  p.gemm("mla.qkv_a_proj", fw, F8, T, H, qkv_a_out);
  p.rows_cols("mla.q_norm", F, LayerKernel::kRmsNorm, T, d.q_lora_rank);
  p.rows_cols("mla.kv_norm", F, LayerKernel::kRmsNorm, T, d.kv_lora_rank);
  p.gemm("mla.q_b_proj", fw, F8, T, d.q_lora_rank, nh * qk);
  p.gemm("mla.kv_b_proj", fw, F8, T, d.kv_lora_rank, kvb_out);
  p.rope("attn.rope.q", F, nh, qk, nh * qk, d.qk_nope_head_dim);
  p.rope("attn.rope.k", F, 1, kv_a_out, kv_a_out, d.kv_lora_rank);
  p.skip("attn.kv_assemble", F,
         "no kernel in kernels/ to split kv_b's output into K_nope and V and broadcast the "
         "shared k_pe into every head's K (the attention kernel reads separate Q, K, V)");
  p.attention(F);
  p.gemm("attn.o_proj", fw, F8, T, nh * d.v_head_dim, H);
  p.skip("attn.residual", F, kResidual);
  p.rows_cols("ffn.norm", F, LayerKernel::kRmsNorm, T, H);
  if (!moe) {
    p.gemm("ffn.gate_up_proj", fw, F8, T, H, 2 * I);
    p.rows_cols("ffn.swiglu", F, LayerKernel::kSwiglu, T, I);
    p.gemm("ffn.down_proj", fw, F8, T, I, H);
  } else {
    p.gemm("moe.gate", fw, LayerKernel::kBf16Gemm, T, H, d.experts, 1, true);
    p.rows_cols("moe.topk", F, LayerKernel::kMoeGate, T, d.experts);
    p.rows_cols("moe.routing_map", F, LayerKernel::kRoutingMap, T, d.experts);
    p.rows_cols("moe.permute", F, LayerKernel::kPermute, T, H);
    p.gemm("moe.experts.gate_up_proj", fw, G8, routed, H, 2 * I, d.experts);
    p.rows_cols("moe.experts.swiglu", F, LayerKernel::kSwiglu, routed, I);
    p.gemm("moe.experts.down_proj", fw, G8, routed, I, H, d.experts);
    p.rows_cols("moe.unpermute", F, LayerKernel::kUnpermute, T, H);
    p.gemm("moe.shared.gate_up_proj", fw, F8, T, H, 2 * SI);
    p.rows_cols("moe.shared.swiglu", F, LayerKernel::kSwiglu, T, SI);
    p.gemm("moe.shared.down_proj", fw, F8, T, SI, H);
    p.skip("moe.combine_add", F, "no kernel in kernels/ for adding the shared expert's output "
                                 "to the routed experts' (an elementwise BF16 add)");
  }
  p.skip("ffn.residual", F, kResidual);

  // ---- B: data gradients, in reverse ----
  if (!moe) {
    p.gemm("ffn.down_proj", dg, F8, T, I, H);
    p.rows_cols("ffn.swiglu", B, LayerKernel::kSwigluBackward, T, I);
    p.gemm("ffn.gate_up_proj", dg, F8, T, H, 2 * I);
  } else {
    p.gemm("moe.shared.down_proj", dg, F8, T, SI, H);
    p.rows_cols("moe.shared.swiglu", B, LayerKernel::kSwigluBackward, T, SI);
    p.gemm("moe.shared.gate_up_proj", dg, F8, T, H, 2 * SI);
    p.skip("moe.unpermute", B,
           "no kernel in kernels/ for unpermute's backward (a gather of dy scaled by each "
           "slot's gate weight, and the per-slot dot product that is the gate weight's "
           "gradient)");
    p.gemm("moe.experts.down_proj", dg, G8, routed, I, H, d.experts);
    p.rows_cols("moe.experts.swiglu", B, LayerKernel::kSwigluBackward, routed, I);
    p.gemm("moe.experts.gate_up_proj", dg, G8, routed, H, 2 * I, d.experts);
    LayerOp& un = p.add("moe.permute", B, LayerKernel::kUnpermute);
    un.rows = T;
    un.cols = H;
    un.unit_weights = true;  // permute's backward: each token sums its slots' gradients
    p.skip("moe.topk", B,
           "no kernel in kernels/ for the gate's backward (normalised sigmoid weights to "
           "logits; the top-k selection has no gradient)");
    p.gemm("moe.gate", dg, LayerKernel::kBf16Gemm, T, H, d.experts);
  }
  p.rows_cols("ffn.norm", B, LayerKernel::kRmsNormBackward, T, H);
  p.skip("attn.residual", B, "the residual's gradient is dy itself: no kernel, nothing to time");
  p.gemm("attn.o_proj", dg, F8, T, nh * d.v_head_dim, H);
  p.attention(B);
  p.skip("attn.kv_assemble", B,
         "no kernel in kernels/ for summing the heads' dK over the shared k_pe dims and "
         "packing dK_nope, dV into kv_b's output gradient");
  p.rope("attn.rope.q", B, nh, qk, nh * qk, d.qk_nope_head_dim);
  p.rope("attn.rope.k", B, 1, kv_a_out, kv_a_out, d.kv_lora_rank);
  p.gemm("mla.kv_b_proj", dg, F8, T, d.kv_lora_rank, kvb_out);
  p.gemm("mla.q_b_proj", dg, F8, T, d.q_lora_rank, nh * qk);
  p.rows_cols("mla.kv_norm", B, LayerKernel::kRmsNormBackward, T, d.kv_lora_rank);
  p.rows_cols("mla.q_norm", B, LayerKernel::kRmsNormBackward, T, d.q_lora_rank);
  p.gemm("mla.qkv_a_proj", dg, F8, T, H, qkv_a_out);
  p.rows_cols("attn.norm", B, LayerKernel::kRmsNormBackward, T, H);

  // ---- W: weight gradients (the norms' weight gradients come with their B kernel) ----
  p.gemm("mla.qkv_a_proj", wg, F8, T, H, qkv_a_out);
  p.gemm("mla.q_b_proj", wg, F8, T, d.q_lora_rank, nh * qk);
  p.gemm("mla.kv_b_proj", wg, F8, T, d.kv_lora_rank, kvb_out);
  p.gemm("attn.o_proj", wg, F8, T, nh * d.v_head_dim, H);
  if (!moe) {
    p.gemm("ffn.gate_up_proj", wg, F8, T, H, 2 * I);
    p.gemm("ffn.down_proj", wg, F8, T, I, H);
  } else {
    p.gemm("moe.gate", wg, LayerKernel::kBf16Gemm, T, H, d.experts);
    p.gemm("moe.experts.gate_up_proj", wg, G8, routed, H, 2 * I, d.experts);
    p.gemm("moe.experts.down_proj", wg, G8, routed, I, H, d.experts);
    p.gemm("moe.shared.gate_up_proj", wg, F8, T, H, 2 * SI);
    p.gemm("moe.shared.down_proj", wg, F8, T, SI, H);
  }
  return p.ops;
}

GemmMnk layer_gemm_mnk(const LayerOp& op) {
  switch (op.kernel) {
    case LayerKernel::kFp8Gemm:
    case LayerKernel::kBf16Gemm:
    case LayerKernel::kGroupedFp8Gemm: {
      const k::GemmShape g = k::linear_gemm_shape(kernel_pass(op.gemm), op.tokens, op.in, op.out);
      return GemmMnk{g.m, g.n, g.k};
    }
    default: return GemmMnk{};
  }
}

}  // namespace moesim::real
