#include "sim/net/nccl_collectives.h"

#include <algorithm>
#include <map>
#include <utility>

#include "sim/core/check.h"
#include "sim/net/max_min_fluid.h"

namespace moesim {
namespace {

constexpr NcclCollective kAll[] = {NcclCollective::kAllReduceRing, NcclCollective::kAllReduceTree,
                                   NcclCollective::kReduceScatter, NcclCollective::kAllGather,
                                   NcclCollective::kAllToAll,      NcclCollective::kSendRecv};

// Bytes per ordered GPU pair, summed: flows of one step with the same path
// and start share links exactly as one flow of their total does.
using PairBytes = std::map<std::pair<int, int>, double>;

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

namespace {

// One step of the collective: `visit(src, dst, bytes)` for every ordered pair
// that moves bytes in it, aggregated per pair, in ascending (src, dst) order;
// returns the number of steps. An all-to-all streams its n^2 pairs without
// holding them (2.7e8 at 16,384 GPUs).
template <typename Visit>
int for_each_step_pair(const Topology& topo, NcclCollective k, const std::vector<int>& gpus,
                       Bytes size, Visit visit) {
  const int n = static_cast<int>(gpus.size());
  MOESIM_CHECK(n >= 2 && size >= Bytes(), "a collective needs two GPUs and a size >= 0");
  std::vector<int> sorted = gpus;
  std::sort(sorted.begin(), sorted.end());
  MOESIM_CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end() &&
                   sorted.front() >= 0 && sorted.back() < topo.num_gpus(),
               "distinct GPUs of the cluster");
  const double s = bytes(size);
  if (k == NcclCollective::kAllToAll) {
    for (int a : sorted)
      for (int b : sorted)
        if (a != b) visit(a, b, s / n);
    return 1;
  }
  PairBytes pairs;
  int steps = 1;
  switch (k) {
    case NcclCollective::kAllReduceRing:
    case NcclCollective::kReduceScatter:
    case NcclCollective::kAllGather: {
      const auto rings = nccl_rings(topo, gpus);
      for (const auto& ring : rings) add_ring_step(ring, s / n / rings.size(), pairs);
      steps = (k == NcclCollective::kAllReduceRing ? 2 : 1) * (n - 1);
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
      break;
    case NcclCollective::kSendRecv:
      for (int i = 0; i < n; ++i) pairs[{gpus[i], gpus[(i + 1) % n]}] += s;
      break;
  }
  for (const auto& [p, b] : pairs) visit(p.first, p.second, b);
  return steps;
}

// nccl-tests' figures from one step's time and each GPU's last flow in it.
NcclResult nccl_result(NcclCollective k, const std::vector<int>& gpus, Bytes size, int steps,
                       size_t flows_per_step, Seconds step, const std::vector<Seconds>& last) {
  NcclResult r;
  r.flows_per_step = flows_per_step;
  r.steps = steps;
  for (int g : gpus) r.rank_time.push_back(step * (steps - 1) + last[static_cast<size_t>(g)]);
  r.time = step * steps;
  if (r.time > Seconds()) {
    r.algbw = size / r.time;
    r.busbw = r.algbw * nccl_bus_factor(k, static_cast<int>(gpus.size()));
  }
  return r;
}

}  // namespace

CollectiveFlows nccl_flows(const Topology& topo, NcclCollective k, const std::vector<int>& gpus,
                           Bytes size) {
  CollectiveFlows out;
  const uint64_t num = static_cast<uint64_t>(topo.num_gpus());
  out.steps = for_each_step_pair(topo, k, gpus, size, [&](int a, int b, double bytes) {
    out.step.push_back({a, b, ByteCount(bytes),
                        static_cast<uint64_t>(a) * num + static_cast<uint64_t>(b)});
  });
  return out;
}

NcclResult run_nccl(const NetworkSimulator& net, NcclCollective k, const std::vector<int>& gpus,
                    Bytes size) {
  const CollectiveFlows f = nccl_flows(net.topology(), k, gpus, size);
  const NetworkRun run = net.run_phases({f.step});
  std::vector<Seconds> last(static_cast<size_t>(net.topology().num_gpus()));
  for (size_t i = 0; i < f.step.size(); ++i) {
    Seconds& a = last[static_cast<size_t>(f.step[i].src)];
    Seconds& b = last[static_cast<size_t>(f.step[i].dst)];
    a = max(a, run.flows[i].finish);
    b = max(b, run.flows[i].finish);
  }
  return nccl_result(k, gpus, size, f.steps, f.step.size(), run.makespan(), last);
}

namespace {

// A uniform all-to-all over GPUs 0..n-1 under a shift symmetry of the
// topology: the flows from the first block stand for all (MaxMinFluid). Every
// GPU's time is that of its orbit's GPU in the first block, as sender and as
// receiver.
NcclResult all_to_all_by_symmetry(const Topology& topo, const Topology::ShiftSymmetry& sym, int n,
                                  Bytes size) {
  const double b = bytes(size) / n;
  MaxMinFluid fluid(topo, sym);
  for (int s = 0; s < sym.block; ++s)
    for (int d = 0; d < n; ++d)
      if (s != d) fluid.add(s, d, b, 0.0);
  fluid.solve();
  std::vector<double> rep_last(static_cast<size_t>(sym.block), 0.0);
  for (int s = 0; s < sym.block; ++s) {
    double send_last = 0;
    for (int d = 0; d < n; ++d) {
      if (s == d) continue;
      const double end = fluid.finish_s(s, d, b, 0.0);
      send_last = std::max(send_last, end);
      double& recv = rep_last[static_cast<size_t>(d % sym.block)];
      recv = std::max(recv, end);
    }
    rep_last[static_cast<size_t>(s)] = std::max(rep_last[static_cast<size_t>(s)], send_last);
  }
  std::vector<int> gpus(static_cast<size_t>(n));
  std::vector<Seconds> last(static_cast<size_t>(topo.num_gpus()));
  double step = 0;
  for (int g = 0; g < n; ++g) {
    gpus[static_cast<size_t>(g)] = g;
    last[static_cast<size_t>(g)] = SecondsOf(rep_last[static_cast<size_t>(g % sym.block)]);
    step = std::max(step, rep_last[static_cast<size_t>(g % sym.block)]);
  }
  NcclResult r = nccl_result(NcclCollective::kAllToAll, gpus, size, 1,
                             static_cast<size_t>(n) * static_cast<size_t>(n - 1), SecondsOf(step),
                             last);
  r.symmetry_copies = sym.copies;
  return r;
}

bool first_gpus(const std::vector<int>& gpus) {
  for (size_t i = 0; i < gpus.size(); ++i)
    if (gpus[i] != static_cast<int>(i)) return false;
  return true;
}

}  // namespace

NcclResult run_nccl_fast(const Topology& topo, NcclCollective k, const std::vector<int>& gpus,
                         Bytes size, bool use_symmetry) {
  const int n = static_cast<int>(gpus.size());
  if (use_symmetry && k == NcclCollective::kAllToAll && first_gpus(gpus)) {
    const Topology::ShiftSymmetry sym = topo.shift_symmetry(n);
    if (sym.block > 0) return all_to_all_by_symmetry(topo, sym, n, size);
  }
  MaxMinFluid fluid(topo);
  size_t flows = 0;
  const int steps = for_each_step_pair(topo, k, gpus, size, [&](int a, int b, double bytes) {
    fluid.add(a, b, bytes, 0.0);
    ++flows;
  });
  fluid.solve();
  std::vector<double> last(static_cast<size_t>(topo.num_gpus()), 0.0);
  for_each_step_pair(topo, k, gpus, size, [&](int a, int b, double bytes) {
    const double end = fluid.finish_s(a, b, bytes, 0.0);
    last[static_cast<size_t>(a)] = std::max(last[static_cast<size_t>(a)], end);
    last[static_cast<size_t>(b)] = std::max(last[static_cast<size_t>(b)], end);
  });
  double step = 0;
  for (double v : last) step = std::max(step, v);
  std::vector<Seconds> last_s;
  last_s.reserve(last.size());
  for (double v : last) last_s.push_back(SecondsOf(v));
  return nccl_result(k, gpus, size, steps, flows, SecondsOf(step), last_s);
}

}  // namespace moesim
