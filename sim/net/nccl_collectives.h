#pragma once
// NCCL-style collectives as flows, timed on the flow-level network, with the
// bandwidths nccl-tests reports (NVIDIA/nccl-tests doc/PERFORMANCE.md):
// algbw = size / time; busbw = algbw x 2(n-1)/n for all-reduce, x (n-1)/n for
// reduce-scatter, all-gather and all-to-all, x 1 for send/recv. `size` is
// what nccl-tests calls the size: the buffer of one rank for all-reduce, the
// whole output (all-gather) or input (reduce-scatter) of one rank, one rank's
// send buffer for all-to-all, one message for send/recv.
//
// Algorithms, as NCCL runs them, in the fluid picture:
//  - Ring (all-reduce, reduce-scatter, all-gather): n-1 synchronous steps (2(n-1)
//    for all-reduce), in each of which every rank sends size / n to its ring
//    successor. When the ranks are whole nodes, NCCL builds one ring per
//    local index (channel) r, entering each node at local r, so that every
//    NIC carries one ring's crossing: gpus_per_node rings, size / rings each.
//    Otherwise one ring in the given order.
//    Aggregation, exact: the steps are identical (same pairs, same bytes) and
//    each starts when the last ended, so the collective is one step simulated
//    once, repeated; nccl_test.cpp checks it against the explicit steps.
//  - Tree (all-reduce): NCCL's double binary tree over nodes, one per channel
//    (local index c is the node's endpoint), each tree carrying half the data;
//    inside a node a chain from the endpoint through the other GPUs. Chunks
//    are pipelined up (reduce) and down (broadcast) at once, so every flow runs
//    concurrently, one phase.
//  - All-to-all: one flow per ordered pair, size / n each, all at once.
//  - Send/recv: rank i sends `size` to rank i+1 (mod n) at once (nccl-tests'
//    sendrecv); a pipeline stage boundary is the n = 2 case.

#include <string>
#include <vector>

#include "sim/core/units.h"
#include "sim/net/collectives.h"
#include "sim/net/network.h"

namespace moesim {

enum class NcclCollective {
  kAllReduceRing,
  kAllReduceTree,
  kReduceScatter,
  kAllGather,
  kAllToAll,
  kSendRecv,
};

// "all_reduce_ring", "all_reduce_tree", "reduce_scatter", "all_gather",
// "all_to_all", "send_recv"; nccl_collective_from_string returns false for
// any other name.
const char* to_string(NcclCollective k);
bool nccl_collective_from_string(const std::string& name, NcclCollective* out);
std::vector<std::string> nccl_collective_names();

// nccl-tests' bus bandwidth factor: busbw = algbw x factor.
double nccl_bus_factor(NcclCollective k, int n);

// The collective's flows: `steps` identical synchronous steps of `step`.
struct CollectiveFlows {
  std::vector<Flow> step;
  int steps = 1;
};

// REQUIRES: gpus has >= 2 distinct GPUs of `topo`; size >= 0.
CollectiveFlows nccl_flows(const Topology& topo, NcclCollective k, const std::vector<int>& gpus,
                           Bytes size);

// The rings NCCL would build over `gpus` (see above), each a list of GPUs.
std::vector<std::vector<int>> nccl_rings(const Topology& topo, const std::vector<int>& gpus);

struct NcclResult {
  std::vector<Seconds> rank_time;  // per entry of gpus: its last flow's end
  Seconds time;                    // the slowest rank
  BytesPerSecond algbw;
  BytesPerSecond busbw;
  size_t flows_per_step = 0;
  int steps = 1;
  // > 1: timed by a shift symmetry (Topology::ShiftSymmetry), the flows of
  // one block of GPUs standing for this many.
  int symmetry_copies = 1;
};

// Simulates the collective on `net` and reports it as nccl-tests would.
NcclResult run_nccl(const NetworkSimulator& net, NcclCollective k, const std::vector<int>& gpus,
                    Bytes size);
// The same on the fast model (max_min_fluid.h), streaming the step's pairs
// twice instead of holding them: what `moesim collective` runs by default.
// run_nccl on make_fast_network(c) gives the same figures, holding the flows.
// An all-to-all over the first GPUs of a topology with a shift symmetry is
// timed on one block's flows (use_symmetry; the same figures, exactly).
NcclResult run_nccl_fast(const Topology& topo, NcclCollective k, const std::vector<int>& gpus,
                         Bytes size, bool use_symmetry = true);

}  // namespace moesim
