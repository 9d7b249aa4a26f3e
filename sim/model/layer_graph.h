#pragma once
// Expansion of a ModelSpec into per-layer operator lists for one GPU and one
// micro-batch. Pure: the same spec and context always give the same ops.

#include <vector>

#include "sim/model/model_spec.h"
#include "sim/model/op.h"

namespace moesim {

struct ExpandContext {
  int tokens = 4096;   // tokens in the micro-batch (micro_batch_size x seq_len)
  int seq_len = 4096;  // attention is causal within each sequence
  // Tensor parallel degree: heads and FFN width split; with TP > 1 the norms and
  // residual adds run sequence-parallel (Megatron SP), on tokens / tp each.
  int tp = 1;
  // Context parallel degree: `tokens` are this rank's 2 load-balanced chunks
  // of each sequence, whose queries attend over the whole causal `seq_len`
  // (tokens x (seq_len + 1) / 2 pairs is then 1/cp of the sequence's), with
  // every rank's keys and values gathered (read cp x as many).
  int cp = 1;
  // MLA under CP: the gathered latent is up-projected for the whole
  // sequence (tokens x cp rows) on every rank (CpKind::kAllGatherLatent).
  bool cp_latent = false;
  int ep = 1;          // expert parallel degree (routed experts split, tokens gathered)
  // Expert tensor parallel degree (Megatron-Core's ETP): each routed expert's
  // width split over `etp` GPUs, which all run the rows any of them received.
  int etp = 1;
  bool fp8 = false;    // FP8 recipe: eligible GEMM operands and cached inputs in 1 byte
  // The busiest EP rank's routed expert applications over the balanced
  // tokens x top_k (sim/cost/expert_load.h); the routed-expert ops are sized
  // for that rank. 1: balanced.
  double expert_load = 1.0;
};

// One GPU's share of a MoE block for one micro-batch, as Megatron-Core
// runs MoE under TP (sequence parallelism on): the block's input is the
// GPU's 1/tp of the tokens; those are dispatched to EP ranks; an EP rank is
// `etp` GPUs that all run every row it received, each on 1/etp of the
// expert width. So no row is computed twice: TP alone leaves each expert
// whole and divides the rows, ETP divides the width and multiplies the rows.
struct MoeShare {
  double tokens = 0;       // entering the block on this GPU (tokens / tp)
  double routed_rows = 0;  // expert applications this GPU runs (x expert_load)
  double local_experts = 1;
  double width = 0;        // routed expert intermediate size on this GPU (/ etp)
};
MoeShare moe_share(const ModelSpec& m, const ExpandContext& ctx);

struct LayerOps {
  LayerKind kind = LayerKind::kDense;
  std::vector<Op> ops;
  Work total_fwd() const;
  Work total_bwd_input() const;
  Work total_bwd_weight() const;
  double params() const;
  double params_activated() const;
};

LayerOps expand_layer(const ModelSpec& m, LayerKind kind, const ExpandContext& ctx);

// Kind of transformer layer i (kDense or kMoe).
LayerKind transformer_layer_kind(const ModelSpec& m, int i);

}  // namespace moesim
