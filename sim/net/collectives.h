#pragma once
// Collectives as flows, and their per-rank outcome.
//
// EP dispatch as DeepEP's normal (training) kernels do it (V3TR §3.2.2): a
// token of rank s bound for another node n crosses IB once, to the GPU of n
// with s's local index (the relay), which forwards it over NVLink to every
// GPU of n that holds one of its experts; tokens for s's own node go over
// NVLink directly. Flows are aggregated per (src, dst) pair, which is exact
// for a fluid model: flows with the same path and start share every link as
// one flow of their total bytes would, and the pair's last byte lands when
// that flow ends. Combine is the reverse path with BF16 payloads.
//
// EpSchedule says how the IB and NVLink stages overlap:
//  - kPipelined: every flow starts at t = 0. DeepEP's kernels stream chunks
//    through the relay, so the stages overlap; the fluid picture of a deep
//    pipeline is both stages running at once, each at the rate its links give.
//  - kStoreAndForward: the relay forwards only after all IB traffic arrived
//    (dispatch), or sends over IB only after every NVLink partial arrived
//    (combine): an upper bound.

#include <vector>

#include "sim/core/units.h"
#include "sim/net/network.h"
#include "sim/model/routing.h"

namespace moesim {

enum class EpSchedule { kPipelined, kStoreAndForward };

// Tag bit set on flows whose destination relays the data onwards (the IB hop
// of a dispatch, the NVLink partials of a combine).
constexpr uint64_t kRelayHopTagBit = uint64_t{1} << 63;

struct EpCollectiveSpec {
  int hidden = 7168;
  // FP8 payload plus one FP32 scale per 128 channels (DeepEP's tests, §9).
  double dispatch_bytes_per_element = 1.0 + 4.0 / 128.0;
  double combine_bytes_per_element = 2.0;  // BF16
  EpSchedule schedule = EpSchedule::kPipelined;
};

// The three kinds of dispatch flows, aggregated per (src, dst) GPU pair, in
// dispatch direction (combine reverses them); rank r is GPU r.
struct EpLegs {
  std::vector<Flow> ib;         // rank -> relay on another node (tag has kRelayHopTagBit)
  std::vector<Flow> nvl_own;    // rank -> GPU of its own node (its own tokens)
  std::vector<Flow> nvl_relay;  // relay -> GPU of its node (tokens it received over IB)
};
EpLegs ep_legs(const EpTraffic& t, double bytes_per_token);

// Phases of flows (see NetworkSimulator::run_phases); rank r is GPU r.
std::vector<std::vector<Flow>> ep_dispatch_flows(const EpTraffic& t, const EpCollectiveSpec& s);
std::vector<std::vector<Flow>> ep_combine_flows(const EpTraffic& t, const EpCollectiveSpec& s);

// NCCL-style all-to-all without relays: `bytes[i * n + j]` from gpus[i] to
// gpus[j] (n = gpus.size()); zero entries and i == j make no flow.
std::vector<Flow> all_to_all_flows(const std::vector<int>& gpus, const std::vector<Bytes>& bytes);

// `phases` of one group on GPUs 0..group_size-1, repeated on `groups`
// consecutive groups (group g on GPUs g x group_size, ...): every EP group of
// a job at once. Tags are shifted by g x group_size^2, the relay bit kept.
// REQUIRES: every flow's GPUs are below group_size.
std::vector<std::vector<Flow>> replicate_groups(const std::vector<std::vector<Flow>>& phases,
                                                int group_size, int groups);

struct CollectiveResult {
  // Per GPU 0..num_ranks-1: when the last flow it receives as final
  // destination landed (received), and when the last flow it sends, relays or
  // receives ended (finished). Zero for a rank without flows.
  std::vector<Seconds> received;
  std::vector<Seconds> finished;
  int slowest_rank = 0;  // the latest `received`; the lowest rank on ties
  Seconds makespan;      // the latest `finished`
};

// Runs `phases` on `net` (ranks are GPUs 0..num_ranks-1). A flow's
// destination is its final one unless its tag has kRelayHopTagBit.
CollectiveResult run_collective(const NetworkSimulator& net,
                                const std::vector<std::vector<Flow>>& phases, int num_ranks);

// The per-rank outcome of `flows` that ended at `finish` (same order), as
// run_collective computes it. REQUIRES: equal sizes, GPUs below num_ranks.
CollectiveResult collective_times(const std::vector<Flow>& flows,
                                  const std::vector<Seconds>& finish, int num_ranks);

// The bytes DeepEP's tests divide by a rank's kernel time to report its
// "bottleneck bandwidth" (deepseek-ai/DeepEP tests@ebfe47e, see
// shared/reference/published-figures.md §9), per rank, BF16-equivalent:
// across nodes, tokens x distinct destination nodes (own node included)
// x hidden x 2; within a node, received tokens x hidden x 2. Dispatch scales
// these by (1 + 4/128) / 2 for FP8; combine counts BF16 as is.
std::vector<Bytes> deepep_counted_bytes(const EpTraffic& t, int hidden);

}  // namespace moesim
