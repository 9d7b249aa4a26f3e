#pragma once
// Closed-form communication times for the analytic fidelity. Bandwidths are the
// cluster's achievable per-direction figures; no contention beyond the
// bottleneck link is modeled (the des fidelity, issue 3, simulates the network).

#include <cstdint>

#include "sim/core/units.h"
#include "sim/hw/cluster_spec.h"
#include "sim/model/model_spec.h"
#include "sim/scenario/scenario.h"

namespace moesim {

// Expected fan-out of one token in an EP dispatch the way DeepEP does it for
// training (V3TR §3.2.2): a token crosses IB once per distinct remote node (to
// the GPU with the same local index), then is forwarded over NVLink to each
// distinct GPU of that node that holds one of its experts. Uniform routing
// under group-limited top-k: expert groups coincide with nodes when the EP
// group spans exactly `num_expert_groups` nodes; otherwise no node limit.
struct EpFanout {
  int nodes = 1;                      // nodes spanned by one EP group (ep_group_nodes)
  double distinct_nodes = 0;          // per token, own node included
  double remote_nodes = 0;            // per token, over IB
  double nvlink_gpus = 0;             // per token, distinct GPUs reached over NVLink
};

// The nodes one EP group spans. With expert tensor parallelism its ranks
// stand `etp` GPUs apart (Megatron-Core orders expert-parallel ranks with
// the expert-TP rank innermost, then EP: parallel_state's "tp-ep-dp-pp"
// expert order), so the group covers ep x etp consecutive GPUs: EP8 x ETP2
// on 8-GPU nodes spans two nodes, four of its ranks in each.
// REQUIRES: ep, etp, gpus_per_node >= 1.
int ep_group_nodes(int ep, int etp, int gpus_per_node);

// REQUIRES: model has MoE; ep divides routed experts; etp >= 1.
EpFanout ep_fanout(const ModelSpec& m, const ClusterSpec& c, int ep, int etp = 1);

// One dispatch or combine of `tokens` tokens of width `hidden` at
// `bytes_per_element`: max(IB bytes / IB bw, NVLink bytes / NVLink bw) + latency.
Seconds ep_transfer_time(const EpFanout& f, double tokens, double hidden,
                         double bytes_per_element, const ClusterSpec& c);

// DeepEP's metadata exchange before each call (notify_dispatch with the
// layout before a fresh dispatch, cached_notify before the others), from the
// cluster's calibration profile (a trace: EfficiencyTable::ep_notify). The
// exchange is latency-bound, one round with each node of the EP group, so the
// measured figure is scaled linearly by the group's node count against the
// one it was measured at; an assumption until a second EP size is measured.
// Zero when the profile has no such figure.
struct EpNotifyTimes {
  Seconds dispatch;  // before the forward dispatch
  Seconds cached;    // before each of the other three calls of a layer
};
EpNotifyTimes ep_notify_times(const ClusterSpec& c, int ep, int etp = 1);

// How much slower a DeepEP call runs in training than the network model
// times it alone (the profile's ep_call figures, from a trace; 1 without),
// per direction: dispatch, combine. Applied to every EP call in both
// fidelities, at any EP size (measured at one: an assumption).
struct EpCallSlowdown {
  double dispatch = 1, combine = 1;
};
EpCallSlowdown ep_call_slowdown(const ClusterSpec& c);

// Ring reduce-scatter or all-gather of `bytes` (the full buffer) over `n`
// ranks: (n-1)/n x bytes / bw + (n-1) x latency. Zero when n <= 1.
Seconds ring_collective_time(Bytes bytes, int n, BytesPerSecond bw, Seconds latency);

// Context parallelism's K/V exchange for one attention layer and micro-batch
// (ParallelPlan::cp), as the time it adds to the layer. `kv_bytes`: the whole
// sequence's keys and values as the attention reads them (every cp rank's).
//  - all_gather (Llama 3, arXiv 2407.21783 §3.3.2): forward all-gathers them;
//    backward gathers them again and reduce-scatters their gradients; ring
//    collectives over the cp ranks, exposed (the attention waits for them).
//  - all_gather_latent: the same on MLA's latent (`kv_bytes` is then c_KV
//    and the RoPE key of every token).
//  - ring (Megatron-LM's p2p CP): cp - 1 steps, each moving one rank's share
//    (backward: the share and its gradient) while the attention of the chunk
//    in hand runs (1/cp of `attn_fwd` / `attn_bwd` a step): exposed only
//    where a step's transfer outlasts that compute.
struct CpExchange {
  Seconds fwd, bwd;
};
CpExchange cp_exchange(CpKind kind, int cp, Bytes kv_bytes, BytesPerSecond bw, Seconds latency,
                       Seconds attn_fwd, Seconds attn_bwd);

// The link a collective over `gpus` consecutive GPUs is bound by: NVLink
// when they sit in one node, else InfiniBand.
struct LinkSpeed {
  BytesPerSecond bw;
  Seconds latency;
};
LinkSpeed group_link(std::int64_t gpus, const ClusterSpec& c);
// A CP group's: its tp x cp consecutive GPUs (TP innermost, then CP:
// Megatron-Core's rank order).
LinkSpeed cp_link(int tp, int cp, const ClusterSpec& c);

// Point-to-point transfer.
Seconds p2p_time(Bytes bytes, BytesPerSecond bw, Seconds latency);

// Expected number of distinct "bins" hit when k items are drawn without
// replacement from `bins` bins of `per_bin` items each.
double expected_distinct_bins(int bins, int per_bin, int k);

}  // namespace moesim
