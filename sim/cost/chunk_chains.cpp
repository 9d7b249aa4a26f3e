#include "sim/cost/chunk_chains.h"

#include <algorithm>

namespace moesim {

namespace {

int resource_of(SegmentKind k) {
  switch (k) {
    case SegmentKind::kCompute: return 0;
    case SegmentKind::kSend: return 2;
    default: return 1;
  }
}

// One unit (layer, MTP module, embedding, head) for `pass`, appended in
// execution order.
void append_unit(const ChainContext& c, const UnitCost& u, const std::string& name, bool moe_block,
                 ChainPass pass, std::vector<Segment>& out) {
  const bool ep = moe_block && c.ep_calls;
  auto nm = [&](const std::string& part) { return c.names ? name + part : std::string(); };
  auto share = [](Seconds w, Seconds sm) { return w > Seconds() ? std::min(1.0, sm / w) : 1.0; };
  auto compute = [&](const std::string& part, Seconds w, Seconds sm) {
    if (w > Seconds()) out.push_back({SegmentKind::kCompute, nm(part), w, false, share(w, sm)});
  };
  auto side = [&](const std::string& part, Seconds w, Seconds sm, bool off_chain) {
    if (w > Seconds()) out.push_back({SegmentKind::kCompute, nm(part), w, off_chain, share(w, sm)});
  };
  auto notify = [&](const std::string& call, Seconds w) {
    if (w > Seconds()) out.push_back({SegmentKind::kEpNotify, nm(call + ".notify"), w});
  };
  // TP, CP and ETP collectives: closed-form time on the communication stream.
  auto collective = [&](const std::string& part, Seconds w) {
    if (w > Seconds()) out.push_back({SegmentKind::kTpComm, nm(part), w});
  };
  // Shared experts beside the same micro-batch's EP calls
  // (shared_expert_overlap): off the chain, so the call is issued at once.
  const bool shared_beside = ep && c.shared_beside_calls && u.shared_fwd > Seconds();
  switch (pass) {
    case ChainPass::kForward:
      if (ep) {
        // The EP calls are network segments of their own; the rest of
        // comm_fwd are collectives around them: the exposed part of the
        // FSDP gather and CP's K/V exchange before the attention, TP's
        // after it, ETP's inside the expert block.
        collective(".fsdp_gather", u.fsdp_fwd);
        collective(".cp", u.cp_fwd);
        compute(".attn", u.fwd - u.expert_fwd, u.sm.fwd - u.sm.expert_fwd);
        collective(".tp", u.tp_fwd);
        if (shared_beside) side(".shared_experts", u.shared_fwd, u.sm.shared_fwd, true);
        notify(".dispatch", c.notify.dispatch);
        out.push_back({SegmentKind::kDispatch, nm(".dispatch"), c.dispatch_guess});
        collective(".etp_gather", u.etp_gather);
        if (shared_beside)
          compute(".experts", u.expert_fwd - u.shared_fwd, u.sm.expert_fwd - u.sm.shared_fwd);
        else
          compute(".experts", u.expert_fwd, u.sm.expert_fwd);
        collective(".etp_scatter", u.etp_scatter);
        notify(".combine", c.notify.cached);
        out.push_back({SegmentKind::kCombine, nm(".combine"), c.combine_guess});
      } else {
        compute("", u.fwd, u.sm.fwd);
        if (u.comm_fwd > Seconds()) out.push_back({SegmentKind::kTpComm, nm(".tp"), u.comm_fwd});
      }
      return;
    case ChainPass::kBackwardInput:
    case ChainPass::kBackwardFull: {
      const bool w = pass == ChainPass::kBackwardFull;
      if (ep) {
        // The combine's gradient goes out like a dispatch, the dispatch's
        // gradient comes back like a combine (V3TR §3.3.3).
        if (shared_beside)
          side(".shared_experts_grad", u.shared_bwd_input + (w ? u.shared_bwd_weight : Seconds()),
               u.sm.shared_bwd_input + (w ? u.sm.shared_bwd_weight : Seconds()), true);
        notify(".combine_grad", c.notify.cached);
        out.push_back({SegmentKind::kDispatch, nm(".combine_grad"), c.dispatch_guess});
        collective(".etp_scatter_grad", u.etp_scatter);
        // Input and weight gradients as two segments (the trace's mlp(B) and
        // mlp(W), attn(B) and attn(W)), one after the other on the chain.
        const Seconds shared_in = shared_beside ? u.shared_bwd_input : Seconds();
        const Seconds shared_in_sm = shared_beside ? u.sm.shared_bwd_input : Seconds();
        const Seconds shared_w = shared_beside ? u.shared_bwd_weight : Seconds();
        const Seconds shared_w_sm = shared_beside ? u.sm.shared_bwd_weight : Seconds();
        compute(".experts_grad", u.expert_bwd_input - shared_in,
                u.sm.expert_bwd_input - shared_in_sm);
        collective(".etp_gather_grad", u.etp_gather);
        notify(".dispatch_grad", c.notify.cached);
        out.push_back({SegmentKind::kCombine, nm(".dispatch_grad"), c.combine_guess});
        if (w)
          side(".experts_wgrad", u.expert_bwd_weight - shared_w,
               u.sm.expert_bwd_weight - shared_w_sm, c.weight_grad_off_chain);
        collective(".tp_grad", u.tp_bwd);
        collective(".cp_grad", u.cp_bwd);
        compute(".attn_grad", u.bwd_input - u.expert_bwd_input, u.sm.bwd_input - u.sm.expert_bwd_input);
        if (w) side(".attn_wgrad", u.bwd_weight - u.expert_bwd_weight,
                     u.sm.bwd_weight - u.sm.expert_bwd_weight, c.weight_grad_off_chain);
        // FSDP: what the unit's backward does not cover of its re-gather
        // and gradient reduce-scatter.
        collective(".fsdp_grad", u.fsdp_bwd);
      } else {
        if (u.comm_bwd > Seconds()) out.push_back({SegmentKind::kTpComm, nm(".tp_grad"), u.comm_bwd});
        compute("_grad", u.bwd_input + (w ? u.bwd_weight : Seconds()),
                u.sm.bwd_input + (w ? u.sm.bwd_weight : Seconds()));
      }
      return;
    }
    case ChainPass::kBackwardWeight:
      compute(".wgrad", u.bwd_weight, u.sm.bwd_weight);
      return;
  }
}

}  // namespace

std::vector<Segment> stage_chain(const ChainContext& c, int stage, ChainPass pass) {
  const Scenario& s = *c.scenario;
  const StageCost& st = c.costs->stages[static_cast<size_t>(stage)];
  const UnitPrices& u = c.alone ? c.costs->units_alone : c.costs->units;
  const bool moe_model = s.model.moe.enabled();
  const int last = static_cast<int>(c.costs->stages.size()) - 1;
  // Units in forward order.
  struct Unit {
    const UnitCost* cost;
    std::string name;
    bool moe;
  };
  std::vector<Unit> units;
  if (st.has_embedding) units.push_back({&u.embed, "embed", false});
  for (int l = st.first_layer; l < st.first_layer + st.num_layers; ++l) {
    const bool moe = s.model.is_moe_layer(l);
    units.push_back({&u.layer(moe, l - st.first_layer, s.plan.recompute),
                     c.names ? "L" + std::to_string(l) : std::string(), moe});
  }
  if (st.has_head) units.push_back({&u.head, "head", false});
  if (st.has_mtp)
    for (int k = 0; k < s.model.mtp_depth; ++k)
      units.push_back({&u.mtp, c.names ? "mtp" + std::to_string(k) : std::string(), moe_model});

  std::vector<Segment> out;
  out.reserve(units.size() * 9 + 1);
  if (pass == ChainPass::kBackwardWeight) {
    Seconds w, sm;
    for (const Unit& x : units) {
      w += x.cost->bwd_weight;
      sm += x.cost->sm.bwd_weight;
    }
    if (w > Seconds())
      out.push_back({SegmentKind::kCompute, "wgrad", w, false, std::min(1.0, sm / w)});
    return out;
  }
  // ZeRO-3 / FSDP: the gather nothing of the chunk covers comes first.
  const Seconds lead = pass == ChainPass::kForward ? st.fsdp_lead_fwd : st.fsdp_lead_bwd;
  if (lead > Seconds()) out.push_back({SegmentKind::kTpComm, "fsdp_gather", lead});
  if (pass == ChainPass::kForward) {
    for (const Unit& x : units) append_unit(c, *x.cost, x.name, x.moe, pass, out);
    if (stage < last) out.push_back({SegmentKind::kSend, "send", c.send_guess});
  } else {
    for (auto it = units.rbegin(); it != units.rend(); ++it)
      append_unit(c, *it->cost, it->name, it->moe, pass, out);
    if (stage > 0) out.push_back({SegmentKind::kSend, "send_grad", c.send_guess});
  }
  return out;
}

ChainContext chain_context(const Scenario& s, const StageCosts& costs) {
  ChainContext cc;
  cc.scenario = &s;
  cc.costs = &costs;
  cc.ep_calls = s.model.moe.enabled() && s.plan.ep > 1;
  cc.dispatch_guess = costs.units.moe.ep_dispatch;
  cc.combine_guess = costs.units.moe.ep_combine;
  cc.send_guess = costs.stages.front().p2p;
  if (cc.ep_calls) cc.notify = ep_notify_times(s.cluster, s.plan.ep, s.plan.etp);
  cc.shared_beside_calls = s.plan.shared_expert_overlap;
  return cc;
}

PairSchedule interleave(const std::vector<Segment>& forward, const std::vector<Segment>& backward) {
  const std::vector<Segment>* chain[2] = {&forward, &backward};
  size_t next[2] = {0, 0};
  Seconds ready[2], ready_compute[2];  // the last on-chain segment's end; the last compute one's
  Seconds free[3];
  PairSchedule out;
  out.order.reserve(forward.size() + backward.size());
  while (next[0] < forward.size() || next[1] < backward.size()) {
    int pick = -1;
    Seconds best;
    for (int k : {1, 0}) {  // backward first at ties
      if (next[k] >= chain[k]->size()) continue;
      const Segment& g = (*chain[k])[next[k]];
      const Seconds start = max(g.side ? ready_compute[k] : ready[k], free[resource_of(g.kind)]);
      if (pick < 0 || start < best) {
        pick = k;
        best = start;
      }
    }
    const Segment& g = (*chain[pick])[next[pick]];
    const Seconds end = best + g.work;
    if (!g.side) {
      ready[pick] = end;
      if (g.kind == SegmentKind::kCompute) ready_compute[pick] = end;
    }
    free[resource_of(g.kind)] = end;
    out.span = max(out.span, end);
    out.order.emplace_back(pick, next[pick]++);
  }
  return out;
}

Seconds pair_span(const ChainContext& c, int forward_stage, int backward_stage) {
  ChainContext paired = c;
  paired.weight_grad_off_chain = true;
  return interleave(stage_chain(c, forward_stage, ChainPass::kForward),
                    stage_chain(paired, backward_stage, ChainPass::kBackwardFull))
      .span;
}

}  // namespace moesim
