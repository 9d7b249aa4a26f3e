#pragma once
// The operator vocabulary. A layer is a list of Ops; each Op carries its work for
// forward (F), backward-for-input (B) and backward-for-weights (W) on one GPU for
// one micro-batch, the activation bytes it leaves for backward, and its weight
// parameters. Op names are shared with the calibration profiles written by real/:
// DO NOT RENAME an op without updating validation/calibration/ and real/.

#include <string>
#include <vector>

#include "sim/core/units.h"

namespace moesim {

enum class OpKind {
  kGemm,         // dense GEMM, tokens along M
  kGroupedGemm,  // routed experts: `groups` GEMMs of M = tokens per local expert
  kAttention,    // attention core (softmax(QK^T)V), FlashAttention-style
  kMemoryBound,  // norms, RoPE, activations, permutes, loss: HBM-bandwidth bound
  kEmbedding,    // table lookup (gather) forward, scatter-add backward
  kFp8Cast,      // FP8 recipe: quantize / cast / transpose of a GEMM's operands
};

// Which recomputation option (ParallelPlan::recompute) drops this op's saved
// output and re-runs its forward during backward instead.
enum class RecomputeGroup { kNone, kNorm, kMlaUpProj, kSwiGlu };

struct GemmShape {
  double m = 0, n = 0, k = 0;  // per group; FLOPs = 2 m n k per group
  int groups = 1;
};

struct Work {
  Flops flops;
  Bytes bytes;  // HBM traffic
  Work operator+(const Work& o) const { return Work{flops + o.flops, bytes + o.bytes}; }
};

struct Op {
  std::string name;        // profile vocabulary, e.g. "mla.q_b_proj"
  OpKind kind = OpKind::kMemoryBound;
  bool fp8_eligible = false;  // a Linear that the FP8 recipe runs in FP8 (V3TR §3.3.1)
  GemmShape gemm;             // kGemm / kGroupedGemm only
  Work fwd, bwd_input, bwd_weight;
  Bytes saved;             // output bytes kept for backward (per micro-batch)
  RecomputeGroup recompute = RecomputeGroup::kNone;
  double params = 0;       // weight parameters held on this GPU
  double params_activated = 0;  // of those, the ones one token uses (MoE: top-k experts)
};

enum class LayerKind {
  kEmbedding,  // input embedding
  kDense,      // attention + dense FFN
  kMoe,        // attention + routed/shared experts
  kHead,       // final norm + output projection + loss
  kMtp,        // one Multi-Token Prediction module (V3TR §2.2), head shared
};

// The block of a layer an op runs in, as training frameworks' profiler
// annotations split it: "attn" (norms, attention, the MoE gate: everything
// before the EP dispatch) or "mlp" (routed and shared experts, their permutes,
// the dense FFN). False: attn.
bool in_mlp_block(const Op& op);

const char* to_string(LayerKind k);
const char* to_string(OpKind k);

}  // namespace moesim
