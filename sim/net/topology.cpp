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

std::vector<LinkHop> Topology::fabric_route(int src, int dst) const {
  if (leaf_[src] == leaf_[dst]) return {{nic_link(src), true}, {nic_link(dst), false}};
  return {{nic_link(src), true},
          {leaf_link(leaf_[src]), true},
          {leaf_link(leaf_[dst]), false},
          {nic_link(dst), false}};
}

std::vector<LinkHop> Topology::route(int src, int dst) const {
  MOESIM_CHECK(src != dst && src >= 0 && dst >= 0 && src < num_gpus_ && dst < num_gpus_,
               "route needs two distinct GPUs of the cluster");
  if (!engines_) return network_route(src, dst);
  std::vector<LinkHop> r = {{send_link(src), true}};
  const std::vector<LinkHop> n = network_route(src, dst);
  r.insert(r.end(), n.begin(), n.end());
  r.push_back({recv_link(dst), false});
  return r;
}

std::vector<LinkHop> Topology::network_route(int src, int dst) const {
  if (node_of(src) == node_of(dst)) return {{nvl_link(src), true}, {nvl_link(dst), false}};
  if (kind_ == FabricKind::kMultiPlaneFatTree &&
      local_of(src) % planes_ != local_of(dst) % planes_) {
    const int relay = node_of(src) * gpus_per_node_ + local_of(dst);
    std::vector<LinkHop> r = {{nvl_link(src), true}, {nvl_link(relay), false}};
    const std::vector<LinkHop> f = fabric_route(relay, dst);
    r.insert(r.end(), f.begin(), f.end());
    return r;
  }
  return fabric_route(src, dst);
}

bool Topology::needs_own_route(int src, int dst) const {
  if (node_of(src) == node_of(dst) || leaf_[src] == leaf_[dst]) return true;
  return kind_ == FabricKind::kMultiPlaneFatTree &&
         local_of(src) % planes_ != local_of(dst) % planes_;
}

}  // namespace moesim
