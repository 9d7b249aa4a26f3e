#include "sim/net/nccl_collectives.h"

#include <algorithm>
#include <map>
#include <utility>

#include "sim/core/check.h"

namespace moesim {
namespace {

constexpr NcclCollective kAll[] = {NcclCollective::kAllReduceRing, NcclCollective::kAllReduceTree,
                                   NcclCollective::kReduceScatter, NcclCollective::kAllGather,
                                   NcclCollective::kAllToAll,      NcclCollective::kSendRecv};

// Bytes per ordered GPU pair, summed: flows of one step with the same path
// and start share links exactly as one flow of their total does.
using PairBytes = std::map<std::pair<int, int>, double>;

std::vector<Flow> to_flows(const PairBytes& pairs, int num_gpus) {
  std::vector<Flow> flows;
  flows.reserve(pairs.size());
  for (const auto& [p, b] : pairs)
    flows.push_back({p.first, p.second, ByteCount(b),
                     static_cast<uint64_t>(p.first) * static_cast<uint64_t>(num_gpus) +
                         static_cast<uint64_t>(p.second)});
  return flows;
}

// The GPUs of `gpus` grouped by node, in order of first appearance, when they
// are whole nodes (every local index once); empty otherwise.
std::vector<int> whole_nodes(const Topology& topo, const std::vector<int>& gpus) {
  const int gpn = topo.gpus_per_node();
  if (gpus.size() % gpn != 0) return {};
  std::map<int, std::vector<bool>> seen;
  std::vector<int> order;
  for (int g : gpus) {
    auto [it, fresh] = seen.emplace(topo.node_of(g), std::vector<bool>(gpn, false));
    if (fresh) order.push_back(topo.node_of(g));
    if (it->second[topo.local_of(g)]) return {};
    it->second[topo.local_of(g)] = true;
  }
  if (order.size() * gpn != gpus.size()) return {};
  return order;
}

void add_ring_step(const std::vector<int>& ring, double bytes, PairBytes& out) {
  const size_t n = ring.size();
  for (size_t i = 0; i < n; ++i) out[{ring[i], ring[(i + 1) % n]}] += bytes;
}

void add_both_ways(int a, int b, double bytes, PairBytes& out) {
  if (a == b) return;
  out[{a, b}] += bytes;
  out[{b, a}] += bytes;
}

// Double binary tree over `v`: tree A is the heap order of v, tree B the heap
// order of v reversed, so that A's leaves are B's inner vertices. Every edge
// carries `bytes` up and down.
void add_double_tree(const std::vector<int>& v, double bytes, PairBytes& out) {
  const size_t m = v.size();
  for (size_t i = 1; i < m; ++i) {
    add_both_ways(v[i], v[(i - 1) / 2], bytes, out);
    add_both_ways(v[m - 1 - i], v[m - 1 - (i - 1) / 2], bytes, out);
  }
}

}  // namespace

const char* to_string(NcclCollective k) {
  switch (k) {
    case NcclCollective::kAllReduceRing:
      return "all_reduce_ring";
    case NcclCollective::kAllReduceTree:
      return "all_reduce_tree";
    case NcclCollective::kReduceScatter:
      return "reduce_scatter";
    case NcclCollective::kAllGather:
      return "all_gather";
    case NcclCollective::kAllToAll:
      return "all_to_all";
    case NcclCollective::kSendRecv:
      return "send_recv";
  }
  return "?";
}

bool nccl_collective_from_string(const std::string& name, NcclCollective* out) {
  for (NcclCollective k : kAll)
    if (name == to_string(k)) {
      *out = k;
      return true;
    }
  return false;
}

std::vector<std::string> nccl_collective_names() {
  std::vector<std::string> v;
  for (NcclCollective k : kAll) v.push_back(to_string(k));
  return v;
}

double nccl_bus_factor(NcclCollective k, int n) {
  switch (k) {
    case NcclCollective::kAllReduceRing:
    case NcclCollective::kAllReduceTree:
      return 2.0 * (n - 1) / n;
    case NcclCollective::kReduceScatter:
    case NcclCollective::kAllGather:
    case NcclCollective::kAllToAll:
      return static_cast<double>(n - 1) / n;
    case NcclCollective::kSendRecv:
      return 1.0;
  }
  return 1.0;
}

std::vector<std::vector<int>> nccl_rings(const Topology& topo, const std::vector<int>& gpus) {
  const std::vector<int> nodes = whole_nodes(topo, gpus);
  if (nodes.empty() || nodes.size() < 2) return {gpus};
  const int gpn = topo.gpus_per_node();
  std::vector<std::vector<int>> rings(gpn);
  for (int r = 0; r < gpn; ++r)
    for (int node : nodes)
      for (int k = 0; k < gpn; ++k) rings[r].push_back(node * gpn + (r + k) % gpn);
  return rings;
}

CollectiveFlows nccl_flows(const Topology& topo, NcclCollective k, const std::vector<int>& gpus,
                           Bytes size) {
  const int n = static_cast<int>(gpus.size());
  MOESIM_CHECK(n >= 2 && size >= Bytes(), "a collective needs two GPUs and a size >= 0");
  std::vector<int> sorted = gpus;
  std::sort(sorted.begin(), sorted.end());
  MOESIM_CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end() &&
                   sorted.front() >= 0 && sorted.back() < topo.num_gpus(),
               "distinct GPUs of the cluster");
  const double s = bytes(size);
  PairBytes pairs;
  CollectiveFlows out;
  switch (k) {
    case NcclCollective::kAllReduceRing:
    case NcclCollective::kReduceScatter:
    case NcclCollective::kAllGather: {
      const auto rings = nccl_rings(topo, gpus);
      for (const auto& ring : rings) add_ring_step(ring, s / n / rings.size(), pairs);
      out.steps = (k == NcclCollective::kAllReduceRing ? 2 : 1) * (n - 1);
      break;
    }
    case NcclCollective::kAllReduceTree: {
      const std::vector<int> nodes = whole_nodes(topo, gpus);
      if (nodes.size() < 2) {
        add_double_tree(gpus, s / 2, pairs);
        break;
      }
      const int gpn = topo.gpus_per_node();
      for (int c = 0; c < gpn; ++c) {
        std::vector<int> endpoints;
        for (int node : nodes) {
          endpoints.push_back(node * gpn + c);
          for (int j = 1; j < gpn; ++j)  // chain c, c+1, ..., c-1 within the node
            add_both_ways(node * gpn + (c + j - 1) % gpn, node * gpn + (c + j) % gpn, s / gpn,
                          pairs);
        }
        add_double_tree(endpoints, s / gpn / 2, pairs);
      }
      break;
    }
    case NcclCollective::kAllToAll:
      for (int a : gpus)
        for (int b : gpus)
          if (a != b) pairs[{a, b}] += s / n;
      break;
    case NcclCollective::kSendRecv:
      for (int i = 0; i < n; ++i) pairs[{gpus[i], gpus[(i + 1) % n]}] += s;
      break;
  }
  out.step = to_flows(pairs, topo.num_gpus());
  return out;
}

NcclResult run_nccl(const NetworkSimulator& net, NcclCollective k, const std::vector<int>& gpus,
                    Bytes size) {
  const CollectiveFlows f = nccl_flows(net.topology(), k, gpus, size);
  const NetworkRun run = net.run_phases({f.step});
  const Seconds step = run.makespan();
  std::map<int, Seconds> last;  // per GPU, its last flow's end within the step
  for (size_t i = 0; i < f.step.size(); ++i) {
    Seconds& a = last[f.step[i].src];
    Seconds& b = last[f.step[i].dst];
    a = max(a, run.flows[i].finish);
    b = max(b, run.flows[i].finish);
  }
  NcclResult r;
  r.flows_per_step = f.step.size();
  r.steps = f.steps;
  for (int g : gpus) r.rank_time.push_back(step * (f.steps - 1) + last[g]);
  r.time = step * f.steps;
  if (r.time > Seconds()) {
    r.algbw = size / r.time;
    r.busbw = r.algbw * nccl_bus_factor(k, static_cast<int>(gpus.size()));
  }
  return r;
}

}  // namespace moesim
