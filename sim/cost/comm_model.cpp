#include "sim/cost/comm_model.h"

#include <algorithm>

namespace moesim {

double expected_distinct_bins(int bins, int per_bin, int k) {
  // P(a given bin is empty) = C(total - per_bin, k) / C(total, k).
  const int total = bins * per_bin;
  if (k <= 0 || bins <= 0) return 0;
  if (k > total) k = total;
  double p_empty = 1.0;
  for (int i = 0; i < k; ++i) {
    const double num = total - per_bin - i;
    if (num <= 0) {
      p_empty = 0;
      break;
    }
    p_empty *= num / (total - i);
  }
  return bins * (1.0 - p_empty);
}

int ep_group_nodes(int ep, int etp, int gpus_per_node) {
  const std::int64_t span = static_cast<std::int64_t>(ep) * etp;  // consecutive GPUs
  const std::int64_t nodes = (span + gpus_per_node - 1) / gpus_per_node;
  return static_cast<int>(std::clamp<std::int64_t>(nodes, 1, ep));  // at most a node per rank
}

EpFanout ep_fanout(const ModelSpec& m, const ClusterSpec& c, int ep, int etp) {
  EpFanout f;
  const auto& x = m.moe;
  f.nodes = ep_group_nodes(ep, etp, c.gpus_per_node);
  // The group's ranks in one node (ETP leaves gpus_per_node / etp of them).
  const int gpn = (ep + f.nodes - 1) / f.nodes;
  const int experts_per_node = x.num_routed_experts / f.nodes;
  if (f.nodes > 1 && x.num_expert_groups == f.nodes && x.topk_groups < f.nodes) {
    // Node-limited routing: the token's top-k lie in `topk_groups` nodes.
    f.distinct_nodes = expected_distinct_bins(x.topk_groups, experts_per_node, x.top_k);
  } else {
    f.distinct_nodes = expected_distinct_bins(f.nodes, experts_per_node, x.top_k);
  }
  f.remote_nodes = f.distinct_nodes * (f.nodes - 1) / f.nodes;
  // Within a reached node, the token's experts there spread over its GPUs.
  const double experts_in_node = x.top_k / std::max(1e-9, f.distinct_nodes);
  const int k_node = std::max(1, static_cast<int>(experts_in_node + 0.5));
  const double gpus_hit = expected_distinct_bins(gpn, experts_per_node / gpn, k_node);
  // The receiving GPU itself needs no NVLink hop: (gpn - 1) / gpn of the hits.
  f.nvlink_gpus = f.distinct_nodes * gpus_hit * (gpn - 1) / gpn;
  return f;
}

Seconds ep_transfer_time(const EpFanout& f, double tokens, double hidden,
                         double bytes_per_element, const ClusterSpec& c) {
  const Bytes per_token = ByteCount(hidden * bytes_per_element);
  const Seconds ib = f.remote_nodes > 0
                         ? per_token * (tokens * f.remote_nodes) / c.ib_achievable + c.ib_latency
                         : Seconds();
  const Seconds nvl = per_token * (tokens * f.nvlink_gpus) / c.nvlink_achievable + c.nvlink_latency;
  return max(ib, nvl);
}

EpNotifyTimes ep_notify_times(const ClusterSpec& c, int ep, int etp) {
  const auto& f = efficiency_table(c).ep_notify;
  if (!f || ep <= 1) return {};
  const double nodes = ep_group_nodes(ep, etp, c.gpus_per_node);
  const double scale = nodes / std::max(1, f->nodes);
  return {SecondsOf(f->dispatch_s * scale), SecondsOf(f->cached_s * scale)};
}

EpCallSlowdown ep_call_slowdown(const ClusterSpec& c) {
  const auto& f = efficiency_table(c).ep_call;
  if (!f) return {};
  return {f->dispatch_slowdown, f->combine_slowdown};
}

Seconds ring_collective_time(Bytes bytes, int n, BytesPerSecond bw, Seconds latency) {
  if (n <= 1) return Seconds();
  return bytes * (static_cast<double>(n - 1) / n) / bw + latency * (n - 1);
}

Seconds p2p_time(Bytes bytes, BytesPerSecond bw, Seconds latency) { return bytes / bw + latency; }

CpExchange cp_exchange(CpKind kind, int cp, Bytes kv_bytes, BytesPerSecond bw, Seconds latency,
                       Seconds attn_fwd, Seconds attn_bwd) {
  CpExchange x;
  if (cp <= 1) return x;
  if (kind == CpKind::kAllGather || kind == CpKind::kAllGatherLatent) {
    x.fwd = ring_collective_time(kv_bytes, cp, bw, latency);
    x.bwd = x.fwd * 2.0;  // gather again, reduce-scatter the gradients
    return x;
  }
  const Bytes share = kv_bytes / static_cast<double>(cp);
  const double steps = cp - 1;
  x.fwd = max(Seconds(), p2p_time(share, bw, latency) - attn_fwd / static_cast<double>(cp)) * steps;
  x.bwd = max(Seconds(), p2p_time(share * 2.0, bw, latency) - attn_bwd / static_cast<double>(cp)) *
          steps;
  return x;
}

LinkSpeed group_link(std::int64_t gpus, const ClusterSpec& c) {
  if (gpus <= c.gpus_per_node) return LinkSpeed{c.nvlink_achievable, c.nvlink_latency};
  return LinkSpeed{c.ib_achievable, c.ib_latency};
}

LinkSpeed cp_link(int tp, int cp, const ClusterSpec& c) {
  return group_link(static_cast<std::int64_t>(tp) * cp, c);
}

}  // namespace moesim
