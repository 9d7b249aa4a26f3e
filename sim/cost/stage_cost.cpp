#include "sim/cost/stage_cost.h"

#include "sim/cost/comm_model.h"
#include "sim/cost/expert_load.h"

namespace moesim {

ExpandContext expand_context(const Scenario& s, int seq_len, const ExpertLoad* load) {
  ExpandContext ctx;
  ctx.tokens = s.plan.tokens_per_gpu(seq_len);
  ctx.seq_len = seq_len;
  ctx.tp = s.plan.tp;
  ctx.cp = s.plan.cp;
  ctx.cp_latent = s.plan.cp > 1 && s.plan.cp_kind == CpKind::kAllGatherLatent &&
                  s.model.attention.kind == AttentionKind::kMla;
  ctx.ep = s.plan.ep;
  ctx.etp = s.plan.etp;
  ctx.fp8 = s.precision.kind == PrecisionKind::kFp8;
  ctx.expert_load =
      load ? load->compute : scenario_expert_load(s, s.plan.moe_tokens_per_gpu(seq_len)).compute;
  return ctx;
}

bool is_recomputed(const RecomputeSpec& r, const Op& op) {
  if (r.full) return true;
  switch (op.recompute) {
    case RecomputeGroup::kNone: return false;
    case RecomputeGroup::kNorm: return r.norm;
    case RecomputeGroup::kMlaUpProj: return r.mla_up_proj;
    case RecomputeGroup::kSwiGlu: return r.swiglu;
  }
  return false;
}

namespace {

struct PricingContext {
  const Scenario& s;
  ComputeModel compute;
  ExpandContext ctx;
  EpFanout fanout;
  bool moe = false;
  ExpertLoad load;  // the busiest EP rank's (expert_load.h), found once
};

// The unit's ZeRO-3 / FSDP collectives (UnitCost::fsdp_*): BF16 parameters
// gathered and gradients (at the recipe's gradient width) reduce-scattered
// over the GPUs that hold the same weights (dense: dp x cp; experts: their
// replicas), ring collectives on the link the dp x cp x tp GPUs span.
void price_fsdp(const Scenario& s, UnitCost& u) {
  const ParallelPlan& p = s.plan;
  const LinkSpeed link =
      group_link(static_cast<std::int64_t>(p.tp) * p.cp * p.dp, s.cluster);
  auto ring = [&](double bytes_per_param) {
    return ring_collective_time(ByteCount(u.params_dense * bytes_per_param), p.weight_replicas(),
                                link.bw, link.latency) +
           ring_collective_time(ByteCount(u.params_expert * bytes_per_param),
                                std::max(1, p.expert_replicas()), link.bw, link.latency);
  };
  u.fsdp_gather = ring(2.0);
  u.fsdp_scatter = ring(s.precision.grad_bytes);
  u.fsdp_fwd = max(Seconds(), u.fsdp_gather - u.fwd);
  const Seconds bwd_comm = (p.reshard_after_forward ? u.fsdp_gather : Seconds()) + u.fsdp_scatter;
  u.fsdp_bwd = max(Seconds(), bwd_comm - (u.bwd_input + u.bwd_weight));
  u.comm_fwd += u.fsdp_fwd;
  u.comm_bwd += u.fsdp_bwd;
}

UnitCost price_unit(const PricingContext& pc, LayerKind kind, const RecomputeSpec& rc) {
  const ModelSpec& m = pc.s.model;
  LayerOps l = expand_layer(m, kind, pc.ctx);
  UnitCost u;
  u.kind = kind;
  Bytes layer_input;
  Seconds attn_fwd, attn_bwd;  // the attention core's, for CP's ring overlap
  // The first and last dense GEMM of the attention block and of the FFN
  // block (dense FFN or shared experts), forward and input-gradient: what
  // TP's all-gather and reduce-scatter overlap with under tp_comm_overlap.
  struct EdgeGemms {
    bool seen = false;
    Seconds first_f, first_b, last_f, last_b;
  } edge[2];
  for (const auto& op : l.ops) {
    const ComputeModel::Priced f = pc.compute.price(op, Pass::kForward);
    const ComputeModel::Priced b = pc.compute.price(op, Pass::kBackwardInput);
    const ComputeModel::Priced w = pc.compute.price(op, Pass::kBackwardWeight);
    const bool recomputed = is_recomputed(rc, op);
    if (op.kind == OpKind::kAttention) {
      attn_fwd += f.time;
      attn_bwd += b.time;
    }
    u.fwd += f.time;
    u.bwd_input += b.time;
    u.bwd_weight += w.time;
    u.sm.fwd += f.sm_bound;
    u.sm.bwd_input += b.sm_bound + (recomputed ? f.sm_bound : Seconds());
    u.sm.bwd_weight += w.sm_bound;
    const bool expert_block = in_mlp_block(op);  // between EP dispatch and combine
    if (op.kind == OpKind::kGemm && op.name != "moe.gate") {
      EdgeGemms& e = edge[expert_block ? 1 : 0];
      if (!e.seen) {
        e.first_f = f.time;
        e.first_b = b.time;
        e.seen = true;
      }
      e.last_f = f.time;
      e.last_b = b.time;
    }
    if (expert_block) {
      u.expert_fwd += f.time;
      u.expert_bwd_input += b.time + (recomputed ? f.time : Seconds());
      u.expert_bwd_weight += w.time;
      u.sm.expert_fwd += f.sm_bound;
      u.sm.expert_bwd_input += b.sm_bound + (recomputed ? f.sm_bound : Seconds());
      u.sm.expert_bwd_weight += w.sm_bound;
      if (op.name.rfind("moe.shared.", 0) == 0) {
        u.shared_fwd += f.time;
        u.shared_bwd_input += b.time + (recomputed ? f.time : Seconds());
        u.shared_bwd_weight += w.time;
        u.sm.shared_fwd += f.sm_bound;
        u.sm.shared_bwd_input += b.sm_bound + (recomputed ? f.sm_bound : Seconds());
        u.sm.shared_bwd_weight += w.sm_bound;
      }
    }
    u.model_flops += op.fwd.flops + op.bwd_input.flops + op.bwd_weight.flops;
    const bool expert = op.kind == OpKind::kGroupedGemm;
    (expert ? u.params_expert : u.params_dense) += op.params;
    if (recomputed) {
      u.recompute += f.time;
    } else {
      u.activations += op.saved;
    }
    if (op.name == "attn.residual") layer_input = op.saved;
  }
  if (rc.full && kind != LayerKind::kEmbedding) {
    // Full recomputation keeps only the layer input.
    u.activations = layer_input;
  }
  u.bwd_input += u.recompute;
  // Redundant experts (EPLB): every GPU of the EP group holds that many more
  // expert copies, with their gradients and optimizer state.
  if (m.moe.enabled() && pc.s.plan.redundant_experts > 0)
    u.params_expert *= static_cast<double>(m.moe.num_routed_experts + pc.s.plan.redundant_experts) /
                       m.moe.num_routed_experts;

  const bool has_moe_block = kind == LayerKind::kMoe || (kind == LayerKind::kMtp && pc.moe);
  if (has_moe_block && pc.s.plan.ep > 1) {
    // Forward: dispatch (FP8 + scales when the recipe says so) then combine
    // (BF16). Backward: the combine's gradient goes out like a dispatch (FP8),
    // the dispatch's gradient comes back like a combine (BF16) (V3TR §3.3.3).
    const double fp8_elem = 1.0 + 4.0 / 128.0;  // E4M3 + one FP32 scale per 128
    const double dispatch_b = pc.s.precision.dispatches_fp8() ? fp8_elem : 2.0;
    // Each GPU dispatches its own sequence-parallel share of the tokens.
    const MoeShare share = moe_share(m, pc.ctx);
    const double t = share.tokens, d = m.hidden;
    const EpCallSlowdown slow = ep_call_slowdown(pc.s.cluster);
    // The busiest rank receives (and sends back) that much more than the mean.
    const double busiest = pc.load.receive;
    u.ep_dispatch =
        ep_transfer_time(pc.fanout, t, d, dispatch_b, pc.s.cluster) * (slow.dispatch * busiest);
    u.ep_combine = ep_transfer_time(pc.fanout, t, d, 2.0, pc.s.cluster) * (slow.combine * busiest);
    const Seconds pair = u.ep_dispatch + u.ep_combine;
    // DeepEP's notify before each call: fresh before the forward dispatch,
    // cached before the other three.
    const EpNotifyTimes notify = ep_notify_times(pc.s.cluster, pc.s.plan.ep, pc.s.plan.etp);
    u.comm_fwd += pair + notify.dispatch + notify.cached;
    u.comm_bwd += pair + notify.cached * 2.0;
    if (pc.s.plan.etp > 1) {
      // ETP: an EP rank's etp GPUs all-gather the rows each received
      // (dispatch precision) after the dispatch and reduce-scatter the
      // experts' outputs (BF16) before the combine; backward the reverse.
      // Ring collectives on NVLink when the etp GPUs share a node.
      const int etp = pc.s.plan.etp;
      const double rows = share.routed_rows;  // all etp members'
      const LinkSpeed link = group_link(etp, pc.s.cluster);
      u.etp_gather = ring_collective_time(ByteCount(rows * d * dispatch_b), etp, link.bw,
                                          link.latency);
      u.etp_scatter =
          ring_collective_time(ByteCount(rows * d * 2.0), etp, link.bw, link.latency);
      const Seconds both = u.etp_gather + u.etp_scatter;
      u.comm_fwd += both;
      u.comm_bwd += both;
    }
  }
  const bool has_attention = kind == LayerKind::kDense || kind == LayerKind::kMoe ||
                             kind == LayerKind::kMtp;
  if (has_attention && pc.s.plan.tp > 1) {
    // Megatron TP with sequence parallelism: an all-gather before and a
    // reduce-scatter after each TP-split block (= one all-reduce of the
    // activations), forward and again backward, over NVLink inside the node.
    // Blocks: the attention, and the FFN where it is TP-split (dense, or a
    // MoE layer's shared experts; routed experts take their tokens by EP).
    const Bytes act = ByteCount(pc.ctx.tokens * m.hidden * 2.0);
    const int tp = pc.s.plan.tp;
    const Seconds one =
        ring_collective_time(act, tp, pc.s.cluster.nvlink_achievable, pc.s.cluster.nvlink_latency);
    const bool tp_ffn = !has_moe_block || m.moe.num_shared_experts > 0;
    if (pc.s.plan.tp_comm_overlap) {
      // Megatron-LM's --tp-comm-overlap (TorchTitan's async TP): each
      // collective split into tp chunks pipelined with the GEMM next to it
      // (the all-gather with the block's first GEMM, the reduce-scatter with
      // its last; backward the reverse): max(c, g) + min(c, g)/tp in place
      // of c + g, so max(0, c - g) + min(c, g)/tp is left exposed.
      auto exposed = [&](Seconds g) { return max(Seconds(), one - g) + min(one, g) / tp; };
      for (int block = 0; block < (tp_ffn ? 2 : 1); ++block) {
        const EdgeGemms& e = edge[block];
        u.tp_fwd += exposed(e.first_f) + exposed(e.last_f);
        u.tp_bwd += exposed(e.last_b) + exposed(e.first_b);
      }
    } else {
      u.tp_fwd = one * (tp_ffn ? 4.0 : 2.0);
      u.tp_bwd = u.tp_fwd;
    }
    u.comm_fwd += u.tp_fwd;
    u.comm_bwd += u.tp_bwd;
  }
  const ParallelPlan& plan = pc.s.plan;
  if (has_attention && plan.cp > 1) {
    // The whole sequence's K and V as this TP rank's heads read them (BF16):
    // MLA after its up-projection (keys with their RoPE part), GQA its KV
    // heads; or MLA's latent, c_KV and the shared RoPE key (pc.ctx.cp_latent).
    const AttentionSpec& a = m.attention;
    const double heads = a.kind == AttentionKind::kMla
                             ? static_cast<double>(a.num_heads) / plan.tp
                             : std::max(1.0, static_cast<double>(a.num_kv_heads) / plan.tp);
    const double width = pc.ctx.cp_latent
                             ? static_cast<double>(a.kv_lora_rank + a.qk_rope_head_dim)
                             : heads * (a.qk_head_dim() + a.value_head_dim());
    const Bytes kv = ByteCount(pc.ctx.tokens * static_cast<double>(plan.cp) * width * 2.0);
    const LinkSpeed link = cp_link(plan.tp, plan.cp, pc.s.cluster);
    const CpExchange x =
        cp_exchange(plan.cp_kind, plan.cp, kv, link.bw, link.latency, attn_fwd, attn_bwd);
    u.cp_fwd = x.fwd;
    u.cp_bwd = x.bwd;
    u.comm_fwd += x.fwd;
    u.comm_bwd += x.bwd;
  }
  if (plan.gathers_parameters()) price_fsdp(pc.s, u);
  return u;
}

void accumulate(UnitCost& into, const UnitCost& u, int count) {
  into.fwd += u.fwd * count;
  into.bwd_input += u.bwd_input * count;
  into.bwd_weight += u.bwd_weight * count;
  into.recompute += u.recompute * count;
  into.expert_fwd += u.expert_fwd * count;
  into.expert_bwd_input += u.expert_bwd_input * count;
  into.expert_bwd_weight += u.expert_bwd_weight * count;
  into.shared_fwd += u.shared_fwd * count;
  into.shared_bwd_input += u.shared_bwd_input * count;
  into.shared_bwd_weight += u.shared_bwd_weight * count;
  into.sm.shared_fwd += u.sm.shared_fwd * count;
  into.sm.shared_bwd_input += u.sm.shared_bwd_input * count;
  into.sm.shared_bwd_weight += u.sm.shared_bwd_weight * count;
  into.fsdp_gather += u.fsdp_gather * count;
  into.fsdp_scatter += u.fsdp_scatter * count;
  into.fsdp_fwd += u.fsdp_fwd * count;
  into.fsdp_bwd += u.fsdp_bwd * count;
  into.sm.fwd += u.sm.fwd * count;
  into.sm.bwd_input += u.sm.bwd_input * count;
  into.sm.bwd_weight += u.sm.bwd_weight * count;
  into.sm.expert_fwd += u.sm.expert_fwd * count;
  into.sm.expert_bwd_input += u.sm.expert_bwd_input * count;
  into.sm.expert_bwd_weight += u.sm.expert_bwd_weight * count;
  into.comm_fwd += u.comm_fwd * count;
  into.comm_bwd += u.comm_bwd * count;
  into.cp_fwd += u.cp_fwd * count;
  into.cp_bwd += u.cp_bwd * count;
  into.tp_fwd += u.tp_fwd * count;
  into.tp_bwd += u.tp_bwd * count;
  into.etp_gather += u.etp_gather * count;
  into.etp_scatter += u.etp_scatter * count;
  into.activations += u.activations * count;
  into.params_dense += u.params_dense * count;
  into.params_expert += u.params_expert * count;
  into.model_flops += u.model_flops * count;
}

double weight(const UnitCost& u) {
  return seconds(u.fwd + u.bwd_input + u.bwd_weight);
}

}  // namespace

Bytes stage_boundary_bytes(const Scenario& s, int seq_len) {
  return ByteCount(s.plan.tokens_per_gpu(seq_len) / static_cast<double>(s.plan.tp) *
                   s.model.hidden * 2.0);
}

StageCosts price_stages(const Scenario& s, int num_stages, int seq_len, bool overlap,
                        const ExpertLoad* load) {
  const ModelSpec& m = s.model;
  PricingContext pc{s,
                    ComputeModel(s.cluster.gpu, efficiency_table(s.cluster),
                                 s.precision.kind == PrecisionKind::kFp8,
                                 overlap ? s.plan.comm_sms : 0),
                    ExpandContext{},
                    EpFanout{},
                    m.moe.enabled(),
                    load ? *load : scenario_expert_load(s, s.plan.moe_tokens_per_gpu(seq_len))};
  pc.ctx = expand_context(s, seq_len, &pc.load);
  if (pc.moe && s.plan.ep > 1) pc.fanout = ep_fanout(m, s.cluster, s.plan.ep, s.plan.etp);

  const RecomputeSpec& rc = s.plan.recompute;
  auto price_all = [&](const PricingContext& p) {
    const UnitCost dense = price_unit(p, LayerKind::kDense, rc);
    UnitPrices u{dense,
                 p.moe ? price_unit(p, LayerKind::kMoe, rc) : dense,
                 price_unit(p, LayerKind::kEmbedding, rc),
                 price_unit(p, LayerKind::kHead, rc),
                 m.mtp_depth > 0 ? price_unit(p, LayerKind::kMtp, rc) : UnitCost{},
                 {},
                 {}};
    if (rc.full && rc.layers > 0) {
      // Layers past the recomputed ones keep the plan's other switches.
      RecomputeSpec kept = rc;
      kept.full = false;
      u.dense_kept = price_unit(p, LayerKind::kDense, kept);
      u.moe_kept = p.moe ? price_unit(p, LayerKind::kMoe, kept) : u.dense_kept;
    } else {
      u.dense_kept = u.dense;
      u.moe_kept = u.moe;
    }
    return u;
  };
  StageCosts out;
  out.units = price_all(pc);
  if (overlap && s.plan.comm_sms > 0) {
    PricingContext alone = pc;
    alone.compute = ComputeModel(s.cluster.gpu, efficiency_table(s.cluster),
                                 s.precision.kind == PrecisionKind::kFp8, 0);
    out.units_alone = price_all(alone);
  } else {
    out.units_alone = out.units;
  }
  const UnitCost& embed = out.units.embed;
  const UnitCost& head = out.units.head;
  const UnitCost& mtp = out.units.mtp;
  if (!s.plan.stage_layers.empty() && static_cast<int>(s.plan.stage_layers.size()) == num_stages) {
    out.split.layers = s.plan.stage_layers;
  } else {
    if (!s.plan.stage_layers.empty())
      out.notes.push_back("stage_layers ignored: it gives " +
                          std::to_string(s.plan.stage_layers.size()) + " stages, the schedule runs " +
                          std::to_string(num_stages));
    const UnitPrices& w = out.units_alone;
    std::vector<double> costs;
    for (int i = 0; i < m.num_layers; ++i)
      costs.push_back(weight(m.is_moe_layer(i) ? w.moe : w.dense));
    const bool paired = s.plan.schedule == ScheduleKind::kDualPipe ||
                        s.plan.schedule == ScheduleKind::kDualPipeV;
    const double last = weight(w.head) + weight(w.mtp) * m.mtp_depth;
    out.split = paired && num_stages % 2 == 0
                    ? balanced_pair_split(costs, num_stages, weight(w.embed), last)
                    : balanced_split(costs, num_stages, weight(w.embed), last);
  }

  const Bytes boundary = stage_boundary_bytes(s, seq_len);
  int layer = 0;
  for (int st = 0; st < num_stages; ++st) {
    StageCost sc;
    sc.first_layer = layer;
    sc.num_layers = out.split.layers[st];
    // The chunk's units in forward order: embedding, layers, head, MTP.
    const UnitCost* first_unit = st == 0 ? &embed : nullptr;
    const UnitCost* last_unit = nullptr;
    for (int i = 0; i < sc.num_layers; ++i, ++layer) {
      const bool moe_layer = m.is_moe_layer(layer);
      ++(moe_layer ? sc.moe_layers : sc.dense_layers);
      const UnitCost& u = out.units.layer(moe_layer, i, rc);
      accumulate(sc.total, u, 1);
      if (!first_unit) first_unit = &u;
      last_unit = &u;
    }
    if (st == 0) {
      sc.has_embedding = true;
      accumulate(sc.total, embed, 1);
      if (!last_unit) last_unit = &embed;
    }
    if (st == num_stages - 1) {
      sc.has_head = true;
      accumulate(sc.total, head, 1);
      if (!first_unit) first_unit = &head;
      last_unit = &head;
      if (m.mtp_depth > 0) {
        sc.has_mtp = true;
        accumulate(sc.total, mtp, m.mtp_depth);
        last_unit = &mtp;
      }
    }
    if (s.plan.gathers_parameters() && first_unit) {
      // Nothing computes yet while the chunk's first unit is gathered, nor
      // (resharded) while the backward's first unit, the last, is again.
      sc.fsdp_lead_fwd = first_unit->fsdp_gather;
      sc.fsdp_lead_bwd = s.plan.reshard_after_forward ? last_unit->fsdp_gather : Seconds();
      sc.total.comm_fwd += sc.fsdp_lead_fwd;
      sc.total.comm_bwd += sc.fsdp_lead_bwd;
    }
    if (num_stages > 1) sc.p2p = p2p_time(boundary, s.cluster.ib_achievable, s.cluster.ib_latency);
    out.stages.push_back(sc);
  }
  return out;
}

}  // namespace moesim
