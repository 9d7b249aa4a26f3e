#pragma once
// `moesim-real layer`: which ops one DeepSeek-V3 layer runs on one GPU, pass by pass, at
// what shape, with which kernel of kernels/, or why none can. Decided without a GPU (and
// tested without one); real/layer_runner.h runs the plan.
//
// Dims at scale 1 are V3's config (V3TR §4.2; published-figures.md §1): hidden 7168, 128
// heads, q_lora_rank 1536, kv_lora_rank 512, qk head dim 128 + 64 (RoPE), v head dim 128,
// dense intermediate 18432, 256 routed experts in 8 groups (4 kept), top-8, expert and
// shared-expert intermediate 2048, one shared expert. --scale F (0 < F <= 1) multiplies
// hidden, both intermediates, heads and routed experts; the LoRA ranks and head dims stay
// (the attention kernel is built for 192/128). Each scaled width must be whole and keep
// every FP8 GEMM tileable (LayerDims' checks), else a UsageError says which width fails.
//
// Op names are the simulator's graph names (sim/model/detail/*_ops.cpp) where one exists,
// so a layer report lines up with `moesim shapes`. GEMM precision follows V3TR §3.3.1:
// FP8 (1x128 activations, 128x128 weights) for every Linear of attention and FFN; BF16
// for the MoE gate (FP32 logits); attention, norms, SwiGLU, RoPE in BF16 with FP32 math.

#include <cstdint>
#include <string>
#include <vector>

#include "real/real_options.h"

namespace moesim::real {

struct LayerDims {
  LayerKindOption kind = LayerKindOption::kMoe;
  double scale = 1.0;
  std::int64_t tokens = 4096;
  std::int64_t seq = 4096;  // attention is causal within each sequence of V3's 4K
  std::int64_t batch = 1;   // tokens / seq
  std::int64_t hidden = 7168;
  std::int64_t q_lora_rank = 1536;
  std::int64_t kv_lora_rank = 512;
  std::int64_t heads = 128;
  std::int64_t qk_nope_head_dim = 128;
  std::int64_t qk_rope_head_dim = 64;
  std::int64_t v_head_dim = 128;
  std::int64_t dense_intermediate = 18432;
  std::int64_t moe_intermediate = 2048;  // per routed expert and per shared expert
  int experts = 256;
  int expert_groups = 8;
  int topk_groups = 4;
  int topk = 8;
  int shared_experts = 1;
};

// V3's dims at `scale` for `tokens`. Throws UsageError naming the width (and the FP8 GEMM
// that needs it) when scale leaves a width fractional or untileable, or when tokens above
// 4096 are not whole sequences.
LayerDims layer_dims(LayerKindOption kind, double scale, std::int64_t tokens);

// F, B, W as the simulator splits a layer (sim/cost/stage_cost.h UnitCost: fwd,
// bwd_input, bwd_weight).
enum class LayerPass { kForward, kBackwardInput, kBackwardWeight };
const char* layer_pass_code(LayerPass p);  // "F", "B", "W"

enum class LayerKernel {
  kNone,  // skipped: no kernel (reason says why)
  kFp8Gemm,
  kBf16Gemm,
  kGroupedFp8Gemm,
  kRmsNorm,
  kRmsNormBackward,  // dx and dweight (the norm's weight gradient is made here, in B)
  kSwiglu,
  kSwigluBackward,
  kRope,
  kRopeBackward,
  kMlaAttention,
  kMlaAttentionBackward,
  kMoeGate,        // sigmoid + bias, group-limited top-k
  kRoutingMap,     // slots sorted by expert, segments padded to 128 rows
  kPermute,
  kUnpermute,      // weighted sum back to tokens; with unit weights, permute's backward
};
const char* layer_kernel_name(LayerKernel k);

enum class GemmPassCode { kForward, kDataGrad, kWeightGrad };

struct LayerOp {
  std::string name;  // graph name, e.g. "mla.qkv_a_proj"
  LayerPass pass = LayerPass::kForward;
  LayerKernel kernel = LayerKernel::kNone;
  std::string reason;  // kNone: why not timed
  // GEMMs: the Linear y = x W^T with x [tokens][in], W [out][in], and which of its GEMMs.
  // Grouped: tokens = routed slots (tokens x topk) before padding; groups = experts. The
  // rows run come from the gate's routing on the GPU.
  GemmPassCode gemm = GemmPassCode::kForward;
  std::int64_t tokens = 0, in = 0, out = 0;
  int groups = 1;
  bool fp32_output = false;  // the gate's logits
  // Norm (cols = dim), SwiGLU (cols = inter), permute/unpermute (cols = hidden),
  // gate (cols = experts): rows x cols.
  std::int64_t rows = 0, cols = 0;
  // RoPE (kernels/rope.h RopeShape) and attention (batch, seq, heads).
  std::int64_t heads = 0, head_stride = 0, token_stride = 0, rope_offset = 0;
  std::int64_t batch = 0, seq = 0;
  bool unit_weights = false;  // kUnpermute as permute's backward
};

// The layer's ops in execution order: F, then B (reverse order, data gradients), then W
// (weight gradients). Skipped ops are listed in place with their reason. Pure.
std::vector<LayerOp> plan_layer(const LayerDims& d);

// The GEMM the op runs, in kernels/gemm.h's TN form (m, n, k); zeros for non-GEMMs.
// Grouped: m or k is the unpadded routed rows (the run pads per expert).
struct GemmMnk {
  std::int64_t m = 0, n = 0, k = 0;
};
GemmMnk layer_gemm_mnk(const LayerOp& op);

}  // namespace moesim::real
