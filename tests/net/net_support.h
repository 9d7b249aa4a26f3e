#pragma once
// Clusters and traffic shared by the network tests.
#include <vector>

#include "sim/hw/cluster_spec.h"
#include "sim/net/network.h"

namespace moesim::testing {

// The notes' probe cluster: 400 GB/s NVLink ports, 50 GB/s NICs, 1 and 2 us
// latencies (shared/notes/build-and-simgrid.md §4).
inline ClusterSpec probe_cluster(int nodes, FabricKind kind) {
  ClusterSpec c = default_cluster(*find_gpu("H800"), nodes);
  c.nvlink_achievable = GBPerSecond(400);
  c.ib_achievable = GBPerSecond(50);
  c.nvlink_latency = Microseconds(1);
  c.ib_latency = Microseconds(2);
  c.fabric.kind = kind;
  return c;
}

// Every ordered pair of distinct GPUs of `gpus`, `per_pair` bytes each; the
// tag is src * num_gpus + dst.
inline std::vector<Flow> uniform_all_to_all(const std::vector<int>& gpus, Bytes per_pair,
                                            int num_gpus) {
  std::vector<Flow> f;
  for (int s : gpus)
    for (int d : gpus)
      if (s != d) f.push_back({s, d, per_pair, static_cast<uint64_t>(s) * num_gpus + d});
  return f;
}

inline std::vector<int> first_gpus(int n) {
  std::vector<int> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  return v;
}

}  // namespace moesim::testing
