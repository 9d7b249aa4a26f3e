#pragma once
// DeepEP's normal (training and prefill) dispatch and combine kernels as they
// work, on the flow-level network: what a kernel call costs beyond its links.
//
// How the kernels work (deepseek-ai/DeepEP csrc/kernels/{intra,inter}node.cu
// and deep_ep/buffer.py@ebfe47e): a call runs on `num_sms` SMs split into
// num_sms / 2 channels; each channel takes a contiguous slice of the tokens
// and streams them, chunk by chunk, through per-(channel, peer) ring buffers
// whose head and tail pointers the two sides publish after each chunk. One SM
// of a channel pushes (senders; internode also the NVLink forwarders), the
// other drains (receivers). Internode, a token crosses IB once, into the RDMA
// buffer of the GPU with its local index on each destination node (the
// relay), whose forwarder warps push it over NVLink once a whole RDMA chunk
// has arrived; combine runs the same path backwards and the relay reduces the
// partials of an RDMA chunk before sending it.
//
// What the model adds to the links, each with its source (docs/network.md,
// "DeepEP kernel model", has the derivations):
//  - NVLink efficiency: the share of the cluster's achievable NVLink rate that
//    the kernels' fine-grained TMA stores and flag traffic reach. CALIBRATED on
//    one published figure that is not among the validated ones: DeepEP on an
//    H20 node, intranode EP8, 24 SMs: 337.35 GB/s (deepseek-ai/DeepEP issue
//    #16); tests/net/deepep_test.cpp (DeepEp.CalibrationOnH20) re-derives it.
//  - SM copy rate: bytes per second one SM moves. The H20 figure bounds it
//    from below (its 12 sender SMs moved at least what its links did); the
//    bound is the value used, an ASSUMPTION awaiting a real/ sweep of
//    num_sms. Each GPU gets a send and a receive engine of
//    (num_sms / 2) x rate on every route (KernelEngines), so that fewer SMs
//    slow the kernel once the engines, not the links, are the bottleneck.
//    V3TR §3.2.2 says 20 SMs saturate H800's IB and NVLink; at this rate they
//    do.
//  - Chunks: a relay forwards only whole chunks, so the second stage starts
//    one chunk per channel after the first (fill) and ends one chunk per
//    channel after the first stage's last byte reached the relay (drain).
//    Chunk sizes are DeepEP's defaults per EP size (deepep_config). Within a
//    stage, a chunk's handshake is hidden by the other channels and peers
//    streaming meanwhile; the last one is the route latency every flow pays.
//  - Fixed cost per call: `kernels_per_call` launch gaps (ASSUMPTION: 2 us,
//    back-to-back launches on one stream, awaiting real/ measurement) and
//    `barriers_per_call` barrier rounds across the ranks, each one path
//    latency of the cluster (NVLink; NVLink + IB internode; ISCA Table 5).
//
// DeepEP's tests time a call on every rank between events recorded around it;
// the call begins with a barrier (cached notify), so a rank that finished
// early waits there for the slowest one of the previous call: each rank sees
// the slowest rank's kernel time. The bottleneck bandwidth is the mean over
// ranks of deepep_counted_bytes (scaled for FP8 in dispatch) over that time.

#include <string>
#include <vector>

#include "sim/core/units.h"
#include "sim/hw/cluster_spec.h"
#include "sim/engine/network_backend.h"
#include "sim/net/collectives.h"
#include "sim/net/topology.h"
#include "sim/model/routing.h"

namespace moesim {

enum class EpDirection { kDispatch, kCombine };

// A DeepEP Config: chunk and buffer sizes in tokens, per channel and peer.
struct DeepEpConfig {
  int nvl_chunk_tokens = 6;
  int nvl_buffer_tokens = 256;
  int rdma_chunk_tokens = 6;
  int rdma_buffer_tokens = 128;
  bool operator==(const DeepEpConfig& o) const {
    return nvl_chunk_tokens == o.nvl_chunk_tokens && nvl_buffer_tokens == o.nvl_buffer_tokens &&
           rdma_chunk_tokens == o.rdma_chunk_tokens && rdma_buffer_tokens == o.rdma_buffer_tokens;
  }
};

// DeepEP's default config for `ep` ranks (deep_ep/buffer.py@ebfe47e,
// get_dispatch_config / get_combine_config; shared/reference §9). EP sizes
// between table rows take the next larger row. REQUIRES: 1 <= ep <= 160.
DeepEpConfig deepep_config(EpDirection d, int ep);

// Calibrated and bounded constants (see the header comment and
// docs/network.md). DO NOT TUNE these towards the validated figures; re-run
// DeepEp.CalibrationOnH20 when the model changes and copy what it prints.
inline constexpr double kDeepEpNvlinkEfficiency = 0.8533;
inline constexpr double kDeepEpSmCopyRateGBPerS = 25.60;

struct DeepEpKernel {
  int num_sms = 24;  // DeepEP's tests; DeepSeek-V3 training uses 20 (V3TR §3.2.2)
  double nvlink_efficiency = kDeepEpNvlinkEfficiency;
  BytesPerSecond sm_copy_rate = GBPerSecond(kDeepEpSmCopyRateGBPerS);
  Seconds launch_gap = Microseconds(2);
  int kernels_per_call = 2;   // cached notify + the kernel
  int barriers_per_call = 2;  // the cached notify's two barriers
  bool operator==(const DeepEpKernel& o) const;
};

// Problems with `k`, as "field: what is wrong".
std::vector<std::string> deepep_kernel_problems(const DeepEpKernel& k);

struct DeepEpResult {
  CollectiveResult flows;               // per rank, the flows alone (from t = 0)
  Seconds fixed;                        // launch gaps and barriers
  std::vector<Seconds> kernel_time;     // per rank: fixed + its last flow
  Seconds time;                         // the slowest rank's kernel time (see above)
  std::vector<Bytes> counted;           // per rank, as DeepEP's tests count them
  BytesPerSecond bottleneck_bandwidth;  // mean over ranks of counted / time
};

// The routing of DeepEP's tests (tests/test_{intra,inter}node.py@ebfe47e):
// `tokens` per rank, top-8 of (256 / ep) x ep experts, one expert group per
// node and the top min(nodes, 4) groups. Popularity and seed from `r`.
// REQUIRES: deepep_test_traffic_problems(...) is empty.
EpTraffic deepep_test_traffic(int ep, int gpus_per_node, int tokens, const RoutingSpec& r);
// Problems with that setting, as "field: what is wrong".
std::vector<std::string> deepep_test_traffic_problems(int ep, int gpus_per_node, int tokens,
                                                      const RoutingSpec& r);

// One dispatch or combine call of `t` on `c` with DeepEP's kernels, on the
// per-flow SimGrid reference or the fast model (max_min_fluid.h); with `groups`
// > 1, every one of `groups` consecutive EP groups (group g on GPUs g x ep,
// ...) makes the same call at once, all routing the same tokens, as every EP
// group of a job does (per-rank results for all of them).
// REQUIRES: deepep_kernel_problems(k) is empty; groups x t.ep GPUs fit c.
// Throws InputError when c cannot be simulated.
DeepEpResult run_deepep(const ClusterSpec& c, const EpTraffic& t, EpDirection d,
                        const EpCollectiveSpec& s, const DeepEpKernel& k,
                        const DeepEpConfig& config, NetworkModel model = NetworkModel::kPerFlow,
                        int groups = 1);

// One DeepEP call as the discrete-event engine's network activity, for the
// EP group on GPUs first_gpu .. first_gpu + t.ep - 1: run_deepep's flows, all
// starting after the call's fixed cost (the notify's launch gaps and barriers
// come before any data), the relays' second-stage flows after their fill and
// ending no earlier than their relay's last input + drain (NetworkTransfer's
// relay rule), as run_deepep ends them: per flow (kFlows) the same times
// (tests/net/session_test.cpp). The activity must run on a network built from
// `network` with `engines` (make_network_backend).
struct DeepEpCall {
  ClusterSpec network;  // the cluster with the kernels' NVLink efficiency
  KernelEngines engines;
  std::vector<NetworkTransfer> transfers;
  Seconds fixed;
};
DeepEpCall deepep_call(const ClusterSpec& c, const EpTraffic& t, EpDirection d,
                       const EpCollectiveSpec& s, const DeepEpKernel& k,
                       const DeepEpConfig& config, int first_gpu);

}  // namespace moesim
