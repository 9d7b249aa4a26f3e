#pragma once
// The network of a cluster as links and routes, independent of any simulator.
//
// Every link is full duplex: each direction has the full bandwidth and the
// latency. A GPU has
//  - an NVLink port into its node's NVSwitch (nvlink_achievable, half of
//    nvlink_latency per hop so that GPU -> NVSwitch -> GPU costs nvlink_latency);
//  - a NIC into its leaf switch of the scale-out fabric (ib_achievable).
// Each leaf switch has one aggregated up-link into the spine layer, carrying
// (down-links / oversubscription) x ib_achievable per direction: the fluid
// picture of ECMP over its parallel up-links. The spine layer itself is not a
// bottleneck in a two-layer fat-tree (a spine has one port per leaf), so it
// has no link: routes never share one link among all flows, which would make
// the max-min solve quadratic (shared/notes/build-and-simgrid.md §4).
//
// Latency: ISCA Table 5 gives IB 2.8 us within a leaf and 3.7 us across
// leaves; ib_latency is the cross-leaf figure, and the same ratio splits it
// between the NIC hops (2.8/3.7) and the leaf up-link hops (0.9/3.7).
//
// Fabrics (FabricSpec::kind):
//  - kMultiPlaneFatTree: GPU with local index l is in plane l % planes; each
//    plane is its own two-layer fat-tree. A flow to another plane is relayed
//    over NVLink to the GPU of the source node with the destination's local
//    index (PXN), then crosses the destination's plane.
//  - kRailOptimized: rail l holds the GPUs of local index l; a rail leaf
//    serves up to `down` nodes; cross-rail traffic goes through the spine.
//  - kFatTree: consecutive GPUs share a leaf (whole nodes per leaf where a
//    leaf can hold one).
// A leaf of P ports has down = floor(P x o / (1 + o)) down-links for
// oversubscription o (P/2 when non-blocking); a two-layer tree has at most P
// leaves per plane (every spine has one port per leaf).

#include <string>
#include <vector>

#include "sim/core/units.h"
#include "sim/hw/cluster_spec.h"

namespace moesim {

struct TopologyLink {
  std::string name;          // "nvl3", "nic3", "leaf2": unique, for traces
  BytesPerSecond bandwidth;  // per direction
  Seconds latency;
};

// One traversal of a link. `up` is the direction from a GPU towards the
// switches (NVSwitch, leaf, spine); !up is the way back down.
struct LinkHop {
  int link = 0;
  bool up = true;
  bool operator==(const LinkHop& o) const { return link == o.link && up == o.up; }
};

// The copy engines of a communication kernel, per GPU: the SMs that push what
// the GPU sends and those that drain what it receives (DeepEP's sender and
// receiver warps, sim/net/deepep_model.h). When set, every route starts on the
// source's `send` link and ends on the destination's `recv` link, so that a
// kernel's SM throughput is shared by max-min fairness like any link. Zero (the
// default) means no engine links: plain NCCL-style transfers, whose copy engines
// are not a bottleneck at the sizes simulated.
struct KernelEngines {
  BytesPerSecond send;
  BytesPerSecond recv;
  bool any() const { return send > BytesPerSecond() || recv > BytesPerSecond(); }
  bool operator==(const KernelEngines& o) const { return send == o.send && recv == o.recv; }
};

// Problems that make the cluster's network impossible to build, beyond
// validate(ClusterSpec), as "field: what is wrong" strings.
std::vector<std::string> topology_problems(const ClusterSpec& c);

class Topology {
 public:
  // REQUIRES: validate(c) and topology_problems(c) are empty; `engines`
  // bandwidths are zero or positive.
  explicit Topology(const ClusterSpec& c, const KernelEngines& engines = {});

  int num_gpus() const { return num_gpus_; }
  int gpus_per_node() const { return gpus_per_node_; }
  int node_of(int gpu) const { return gpu / gpus_per_node_; }
  int local_of(int gpu) const { return gpu % gpus_per_node_; }
  int leaf_of(int gpu) const { return leaf_[gpu]; }
  int num_leaves() const { return num_leaves_; }
  bool has_engines() const { return engines_; }
  int gpus_per_leaf() const { return down_; }
  const std::vector<TopologyLink>& links() const { return links_; }

  // The path of a flow from src to dst (src != dst). Intra-node flows use
  // NVLink only; others use the fabric, relayed within the source node where
  // the fabric's planes require it. With engines, framed by send(src) and
  // recv(dst).
  std::vector<LinkHop> route(int src, int dst) const;
  // The default path of a GPU towards the spine and back (NIC, leaf up-link):
  // route(s, d) equals up(s) followed by down(d) for every pair that crosses
  // the spine; the others differ (see needs_own_route).
  std::vector<LinkHop> up(int gpu) const;
  std::vector<LinkHop> down(int gpu) const;
  bool needs_own_route(int src, int dst) const;

 private:
  int nvl_link(int gpu) const { return gpu; }
  int nic_link(int gpu) const { return num_gpus_ + gpu; }
  int leaf_link(int leaf) const { return 2 * num_gpus_ + leaf; }
  int send_link(int gpu) const { return 2 * num_gpus_ + num_leaves_ + gpu; }
  int recv_link(int gpu) const { return 3 * num_gpus_ + num_leaves_ + gpu; }
  std::vector<LinkHop> fabric_route(int src, int dst) const;
  std::vector<LinkHop> network_route(int src, int dst) const;

  FabricKind kind_;
  int planes_ = 1;
  int num_gpus_ = 0;
  int gpus_per_node_ = 1;
  int down_ = 1;
  int num_leaves_ = 0;
  bool engines_ = false;
  std::vector<int> leaf_;
  std::vector<TopologyLink> links_;
};

}  // namespace moesim
