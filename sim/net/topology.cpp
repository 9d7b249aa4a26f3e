#include "sim/net/topology.h"

#include <algorithm>

#include "sim/core/check.h"

namespace moesim {
namespace {

// ISCA Table 5: IB 2.8 us within a leaf, 3.7 us across leaves.
constexpr double kSameLeafShareOfIbLatency = 2.8 / 3.7;

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// Down-links (GPUs) per leaf switch: floor(P x o / (1 + o)); a classic
// fat-tree cables whole nodes to a leaf where one fits.
int leaf_down_links(const ClusterSpec& c) {
  const double o = c.fabric.oversubscription;
  int down = static_cast<int>(c.fabric.switch_ports * o / (1.0 + o));
  if (c.fabric.kind == FabricKind::kFatTree && down >= c.gpus_per_node)
    down -= down % c.gpus_per_node;
  return std::max(1, down);
}

// Endpoints of one plane (one tree) and how many leaves they need.
int endpoints_per_tree(const ClusterSpec& c) {
  switch (c.fabric.kind) {
    case FabricKind::kMultiPlaneFatTree:
      return c.num_gpus() / c.fabric.planes;
    case FabricKind::kRailOptimized:
      return c.num_gpus();
    case FabricKind::kFatTree:
      return c.num_gpus();
  }
  return c.num_gpus();
}

int leaves_per_tree(const ClusterSpec& c, int down) {
  if (c.fabric.kind == FabricKind::kRailOptimized)
    return c.gpus_per_node * ceil_div(c.num_nodes, down);
  return ceil_div(endpoints_per_tree(c), down);
}

}  // namespace

std::vector<std::string> topology_problems(const ClusterSpec& c) {
  std::vector<std::string> e;
  if (c.num_nodes <= 0 || c.gpus_per_node <= 0 || c.fabric.switch_ports < 2 ||
      !(c.fabric.oversubscription >= 1.0))
    return e;  // validate(ClusterSpec) reports these
  if (c.fabric.kind == FabricKind::kMultiPlaneFatTree &&
      (c.fabric.planes <= 0 || c.gpus_per_node % c.fabric.planes != 0))
    return e;
  const int down = leaf_down_links(c);
  const int leaves = leaves_per_tree(c, down);
  const int ports = c.fabric.switch_ports;
  if (leaves > 1 && leaves > ports) {
    const bool mp = c.fabric.kind == FabricKind::kMultiPlaneFatTree;
    e.push_back("fabric/switch_ports: a two-layer fat-tree of " + std::to_string(ports) +
                "-port switches has at most " + std::to_string(ports) + " leaves of " +
                std::to_string(down) + " down-links" + (mp ? " per plane" : "") + "; " +
                std::to_string(c.num_nodes) + " nodes need " + std::to_string(leaves) +
                " (a third switch layer is not modeled)");
  }
  return e;
}

Topology::Topology(const ClusterSpec& c, const KernelEngines& engines)
    : kind_(c.fabric.kind),
      planes_(c.fabric.kind == FabricKind::kMultiPlaneFatTree ? c.fabric.planes : 1),
      num_gpus_(c.num_gpus()),
      gpus_per_node_(c.gpus_per_node),
      down_(leaf_down_links(c)) {
  MOESIM_CHECK(validate(c).empty() && topology_problems(c).empty(), "invalid cluster");
  MOESIM_CHECK(engines.send >= BytesPerSecond() && engines.recv >= BytesPerSecond() &&
                   (engines.send > BytesPerSecond()) == (engines.recv > BytesPerSecond()),
               "kernel engines need both a send and a receive rate, or neither");
  const int nodes = c.num_nodes;
  leaf_.resize(num_gpus_);
  for (int g = 0; g < num_gpus_; ++g) {
    node_.push_back(g / gpus_per_node_);
    local_.push_back(g % gpus_per_node_);
    plane_.push_back(local_.back() % planes_);
  }
  const int per_tree = leaves_per_tree(c, down_);
  for (int g = 0; g < num_gpus_; ++g) {
    const int node = g / gpus_per_node_, local = g % gpus_per_node_;
    switch (kind_) {
      case FabricKind::kMultiPlaneFatTree: {
        const int plane = local % planes_;
        const int index_in_plane = node * (gpus_per_node_ / planes_) + local / planes_;
        leaf_[g] = plane * per_tree + index_in_plane / down_;
        break;
      }
      case FabricKind::kRailOptimized:
        leaf_[g] = local * ceil_div(nodes, down_) + node / down_;
        break;
      case FabricKind::kFatTree:
        leaf_[g] = g / down_;
        break;
    }
  }
  num_leaves_ = kind_ == FabricKind::kMultiPlaneFatTree ? per_tree * planes_ : per_tree;

  const Seconds nic_latency = c.ib_latency * (0.5 * kSameLeafShareOfIbLatency);
  const Seconds leaf_latency = c.ib_latency * (0.5 * (1.0 - kSameLeafShareOfIbLatency));
  const BytesPerSecond leaf_up =
      c.ib_achievable * (static_cast<double>(down_) / c.fabric.oversubscription);
  links_.reserve(2 * num_gpus_ + num_leaves_);
  for (int g = 0; g < num_gpus_; ++g)
    links_.push_back({"nvl" + std::to_string(g), c.nvlink_achievable, c.nvlink_latency * 0.5});
  for (int g = 0; g < num_gpus_; ++g)
    links_.push_back({"nic" + std::to_string(g), c.ib_achievable, nic_latency});
  for (int l = 0; l < num_leaves_; ++l)
    links_.push_back({"leaf" + std::to_string(l), leaf_up, leaf_latency});
  engines_ = engines.any();
  if (engines_) {
    for (int g = 0; g < num_gpus_; ++g)
      links_.push_back({"smtx" + std::to_string(g), engines.send, Seconds()});
    for (int g = 0; g < num_gpus_; ++g)
      links_.push_back({"smrx" + std::to_string(g), engines.recv, Seconds()});
  }
}

std::vector<LinkHop> Topology::up(int gpu) const {
  if (engines_)
    return {{send_link(gpu), true}, {nic_link(gpu), true}, {leaf_link(leaf_[gpu]), true}};
  return {{nic_link(gpu), true}, {leaf_link(leaf_[gpu]), true}};
}

std::vector<LinkHop> Topology::down(int gpu) const {
  if (engines_)
    return {{leaf_link(leaf_[gpu]), false}, {nic_link(gpu), false}, {recv_link(gpu), false}};
  return {{leaf_link(leaf_[gpu]), false}, {nic_link(gpu), false}};
}

std::vector<LinkHop> Topology::route(int src, int dst) const {
  int hops[kMaxHops];
  const int n = route_hops(src, dst, hops);
  std::vector<LinkHop> r;
  r.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) r.push_back({hops[i] / 2, hops[i] % 2 == 1});
  return r;
}

bool Topology::needs_own_route(int src, int dst) const {
  if (node_of(src) == node_of(dst) || leaf_[src] == leaf_[dst]) return true;
  return kind_ == FabricKind::kMultiPlaneFatTree &&
         local_of(src) % planes_ != local_of(dst) % planes_;
}

Topology::ShiftSymmetry Topology::shift_symmetry(int n) const {
  ShiftSymmetry none;
  if (n < 2 || n > num_gpus_ || n % gpus_per_node_ != 0) return none;
  for (int block = gpus_per_node_; block < n; block += gpus_per_node_) {
    if (n % block != 0) continue;
    const int copies = n / block;
    // The leaves of the first n GPUs, mapped by the shift: well defined and
    // one to one (leaf equality kept both ways).
    std::vector<int> leaf_image(static_cast<size_t>(num_leaves_), -1);
    std::vector<int> leaf_source(static_cast<size_t>(num_leaves_), -1);
    bool ok = true;
    for (int g = 0; g < n && ok; ++g) {
      const int from = leaf_[static_cast<size_t>(g)];
      const int to = leaf_[static_cast<size_t>((g + block) % n)];
      int& image = leaf_image[static_cast<size_t>(from)];
      int& source = leaf_source[static_cast<size_t>(to)];
      ok = (image < 0 || image == to) && (source < 0 || source == from);
      image = to;
      source = from;
    }
    if (!ok) continue;
    // Every used leaf returns to itself after exactly `copies` shifts, not
    // before (a free action: each orbit counts its links once).
    std::vector<int> rep(static_cast<size_t>(num_leaves_), -1);
    for (int l = 0; l < num_leaves_ && ok; ++l) {
      if (leaf_image[static_cast<size_t>(l)] < 0 || rep[static_cast<size_t>(l)] >= 0) continue;
      int at = l, steps = 0;
      do {
        rep[static_cast<size_t>(at)] = l;
        at = leaf_image[static_cast<size_t>(at)];
        ++steps;
      } while (at != l && at >= 0 && steps <= copies);
      ok = at == l && steps == copies;
    }
    if (!ok) continue;
    // The hops: a GPU's links go to the GPU of its orbit in the first block,
    // a leaf's up-link to the representative leaf (the lowest of its orbit).
    ShiftSymmetry s;
    s.block = block;
    s.copies = copies;
    s.hop_rep.resize(2 * links_.size());
    for (size_t h = 0; h < s.hop_rep.size(); ++h) s.hop_rep[h] = static_cast<int>(h);
    const auto map_link = [&](int from, int to) {
      ok = ok && links_[static_cast<size_t>(from)].bandwidth == links_[static_cast<size_t>(to)].bandwidth &&
           links_[static_cast<size_t>(from)].latency == links_[static_cast<size_t>(to)].latency;
      s.hop_rep[static_cast<size_t>(up_hop(from))] = up_hop(to);
      s.hop_rep[static_cast<size_t>(down_hop(from))] = down_hop(to);
    };
    for (int g = 0; g < n; ++g) {
      const int r = g % block;
      map_link(nvl_link(g), nvl_link(r));
      map_link(nic_link(g), nic_link(r));
      if (engines_) {
        map_link(send_link(g), send_link(r));
        map_link(recv_link(g), recv_link(r));
      }
      const int l = leaf_[static_cast<size_t>(g)];
      map_link(leaf_link(l), leaf_link(rep[static_cast<size_t>(l)]));
    }
    if (ok) return s;
  }
  return none;
}

}  // namespace moesim
