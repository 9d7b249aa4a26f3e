#pragma once
// Per-micro-batch cost of each pipeline stage on one GPU: compute time of the
// forward, backward-for-input and backward-for-weights passes, the
// communication those passes trigger (EP dispatch/combine, TP all-reduce), the
// activation bytes kept for backward, and the parameters held.

#include <string>
#include <vector>

#include "sim/cost/compute_model.h"
#include "sim/cost/stage_split.h"
#include "sim/model/layer_graph.h"
#include "sim/scenario/scenario.h"

namespace moesim {

// One unit of work (a layer kind) priced once and reused for every instance.
struct UnitCost {
  LayerKind kind = LayerKind::kDense;
  Seconds fwd, bwd_input, bwd_weight;  // compute; bwd_input includes recomputation
  Seconds recompute;                   // the recomputation share of bwd_input
  // Of fwd / bwd_input / bwd_weight, the expert block's share (routed and
  // shared experts: the compute between EP dispatch and combine); the rest
  // runs before dispatch (attention, gate) or after combine.
  Seconds expert_fwd, expert_bwd_input, expert_bwd_weight;
  // Of each of the six above, the SM-bound part (ComputeModel::price): what
  // runs slower while communication holds SMs; the rest is bandwidth-bound.
  // Of the expert block's, the shared experts' (ops "moe.shared.*"), which
  // shared_expert_overlap runs beside the EP calls.
  Seconds shared_fwd, shared_bwd_input, shared_bwd_weight;
  struct SmBound {
    Seconds fwd, bwd_input, bwd_weight, expert_fwd, expert_bwd_input, expert_bwd_weight;
    Seconds shared_fwd, shared_bwd_input, shared_bwd_weight;
  } sm;
  Seconds comm_fwd, comm_bwd;          // EP dispatch+combine, TP all-reduces, CP K/V exchange
  Seconds cp_fwd, cp_bwd;              // of those, the CP K/V exchange (comm_model.h)
  Seconds tp_fwd, tp_bwd;              // of those, the TP/SP all-gathers and reduce-scatters
  // Of those, ETP's all-gather after the dispatch and reduce-scatter before
  // the combine, each in forward and again (reversed) in backward.
  Seconds etp_gather, etp_scatter;
  // One EP call each, as comm_fwd and comm_bwd count them (in-training
  // slowdown included, DeepEP's notify not): the dispatch (FP8 where the
  // recipe says so) and the combine (BF16).
  Seconds ep_dispatch, ep_combine;
  // ZeRO-3 / FSDP (ParallelPlan::gathers_parameters): one all-gather of the
  // unit's BF16 parameters and one reduce-scatter of its gradients over their
  // replicas, and of those what the unit's own compute does not cover (the
  // next unit's gather prefetched under this one's forward; backward: its
  // re-gather when resharded, and its reduce-scatter, under its backward).
  // The exposed parts are in comm_fwd / comm_bwd.
  Seconds fsdp_gather, fsdp_scatter, fsdp_fwd, fsdp_bwd;
  Bytes activations;                   // kept for backward, after recomputation
  double params_dense = 0;             // replicated over DP (sharded by ZeRO over dp)
  double params_expert = 0;            // routed experts (ZeRO-sharded over expert_replicas())
  Flops model_flops;                   // F + B + W model FLOPs (no recomputation)
};

struct StageCost {
  int first_layer = 0, num_layers = 0;
  int dense_layers = 0, moe_layers = 0;
  bool has_embedding = false, has_head = false, has_mtp = false;
  UnitCost total;  // sum over the stage's units (kind unused)
  Seconds p2p;     // activation (or gradient) transfer to the neighbour stage
  // ZeRO-3 / FSDP: the gathers no compute of the chunk can cover, in its
  // comm_fwd / comm_bwd: the first unit's before the forward, the last
  // unit's before the backward (when resharded after forward).
  Seconds fsdp_lead_fwd, fsdp_lead_bwd;
};

// Every unit's price, for callers that walk a stage layer by layer (the des
// step): the stage at index i holds layers first_layer .. + num_layers - 1,
// each ModelSpec::is_moe_layer(l) ? moe : dense, the embedding before them
// on stage 0, the head and mtp_depth MTP modules after them on the last.
struct UnitPrices {
  UnitCost dense, moe, embed, head, mtp;
  // Where recompute.layers limits full recomputation to a chunk's first
  // layers: the later layers' prices (the plan's other switches); else the
  // same as dense and moe.
  UnitCost dense_kept, moe_kept;
  // Layer `index_in_chunk` of a chunk, dense or MoE, under `r`.
  const UnitCost& layer(bool moe_layer, int index_in_chunk, const RecomputeSpec& r) const {
    // `dense` and `moe` are priced under `r` as given; only a layer past
    // recompute.layers takes the kept price.
    const bool as_given = !r.full || r.full_at(index_in_chunk);
    return moe_layer ? (as_given ? moe : moe_kept) : (as_given ? dense : dense_kept);
  }
};

struct StageCosts {
  std::vector<StageCost> stages;
  UnitPrices units;
  // The same at all SMs: what a chunk that nothing overlaps runs at (the same
  // as `units` when priced without overlap). The stage split weighs layers
  // with these, so both fidelities split a model alike.
  UnitPrices units_alone;
  StageSplit split;
  std::vector<std::string> notes;  // modeling caveats worth a report line
};

// The op graph's context for one micro-batch of `seq_len` under s's plan and
// precision (tokens, TP, EP, FP8), at the headline step's expert load
// (sim/cost/expert_load.h) or at `load` where given.
ExpandContext expand_context(const Scenario& s, int seq_len, const ExpertLoad* load = nullptr);

// Whether the plan recomputes this op's forward in backward (full
// recomputation, or the op's RecomputeGroup is selected).
bool is_recomputed(const RecomputeSpec& r, const Op& op);

// `num_stages` is the number of model stages (pp, or 2 pp for DualPipeV).
// `overlap` says whether communication overlaps compute (then compute runs on
// the SMs that communication leaves). `load`: the busiest EP rank's load to
// price at; null: the headline step's (scenario_expert_load).
// What one GPU sends to the next pipeline stage per micro-batch (forward:
// activations; backward: their gradients): BF16 hidden states of its
// sequence-parallel 1/tp of the tokens. Both fidelities price sends by it.
Bytes stage_boundary_bytes(const Scenario& s, int seq_len);

StageCosts price_stages(const Scenario& s, int num_stages, int seq_len, bool overlap,
                        const ExpertLoad* load = nullptr);

}  // namespace moesim
