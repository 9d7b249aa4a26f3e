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
// Three tiers. A two-layer tree of P-port switches has at most P leaves per
// plane (every spine has one port per leaf). Beyond that the leaves group
// into pods, as in a k-ary fat-tree (Al-Fares et al., SIGCOMM 2008: k pods of
// k/2 leaves under k/2 aggregation switches, joined by a core layer): a pod
// holds floor(P x a / (1 + a)) leaves for aggregation oversubscription a
// (P/2 when non-blocking), and the core has at most P pods per plane (a core
// switch has one port per pod). The spine layer of a two-layer tree is then
// the pod's aggregation layer; each pod has one aggregated up-link into the
// core, carrying (leaves per pod x leaf up-link) / a per direction, the same
// fluid picture; the core has no link, for the same reason as the spine.
// Flows between pods cross both pods' up-links; flows within a pod take the
// two-layer route. A cluster needs three tiers only when its leaves do not fit
// two layers, so two-layer clusters keep their links and routes.
//
// Latency: ISCA Table 5 gives IB 2.8 us within a leaf and 3.7 us across
// leaves (RoCE 3.6 / 5.6 us); ib_latency is the cross-leaf figure, and the
// transport's ratio splits it between the NIC hops (2.8/3.7) and the leaf
// up-link hops (0.9/3.7). No published figure gives a cross-pod latency; each
// pod up-link hop is charged what a leaf up-link hop is (a cable and one more
// switch each way: IB 3.7 + 0.9 = 4.6 us across pods, RoCE 5.6 + 2.0 = 7.6 us),
// derived from the same split.
//
// Fabrics (FabricSpec::kind):
//  - kMultiPlaneFatTree: GPU with local index l is in plane l % planes; each
//    plane is its own fat-tree. A flow to another plane is relayed
//    over NVLink to the GPU of the source node with the destination's local
//    index (PXN), then crosses the destination's plane. Pods are per plane.
//  - kRailOptimized: rail l holds the GPUs of local index l; a rail leaf
//    serves up to `down` nodes; cross-rail traffic goes through the spine.
//    In three tiers a pod holds the rail leaves of consecutive node blocks
//    (leaves ordered block-major: every rail of block 0, then of block 1, ...).
//  - kFatTree: consecutive GPUs share a leaf (whole nodes per leaf where a
//    leaf can hold one), consecutive leaves a pod.
// A leaf of P ports has down = floor(P x o / (1 + o)) down-links for
// oversubscription o (P/2 when non-blocking).

#include <string>
#include <vector>

#include "sim/core/check.h"
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
  int node_of(int gpu) const { return node_[static_cast<size_t>(gpu)]; }
  int local_of(int gpu) const { return local_[static_cast<size_t>(gpu)]; }
  int leaf_of(int gpu) const { return leaf_[gpu]; }
  int num_leaves() const { return num_leaves_; }
  bool has_engines() const { return engines_; }
  int gpus_per_leaf() const { return down_; }
  // Three tiers: leaves per pod and pods (all planes); 0 and 0 in two layers.
  int leaves_per_pod() const { return pod_leaves_; }
  int num_pods() const { return num_pods_; }
  int pod_of(int gpu) const { return num_pods_ > 0 ? pod_[static_cast<size_t>(gpu)] : 0; }
  const std::vector<TopologyLink>& links() const { return links_; }

  // The path of a flow from src to dst (src != dst). Intra-node flows use
  // NVLink only; others use the fabric, relayed within the source node where
  // the fabric's planes require it. With engines, framed by send(src) and
  // recv(dst).
  std::vector<LinkHop> route(int src, int dst) const;
  // The same path written to `out` without allocating, as hop ids
  // link * 2 + (up ? 1 : 0), for loops over millions of pairs
  // (sim/net/max_min_fluid.h); returns the hop count.
  static constexpr int kMaxHops = 10;
  int route_hops(int src, int dst, int out[kMaxHops]) const;
  // The default path of a GPU towards the top layer and back (NIC, leaf
  // up-link, and in three tiers its pod's up-link): route(s, d) equals up(s)
  // followed by down(d) for every pair that crosses the top layer (spine, or
  // core between pods); the others differ (see needs_own_route).
  std::vector<LinkHop> up(int gpu) const;
  std::vector<LinkHop> down(int gpu) const;
  bool needs_own_route(int src, int dst) const;

  // A symmetry of the first `n` GPUs: the shift g -> (g + block) mod n maps
  // every route among them onto a route among them, link onto link of the
  // same bandwidth and latency, and no link used by them onto itself before
  // n / block shifts (whole nodes, whole leaves, the same local indices and
  // planes). Then traffic that the shift leaves as it is (a uniform
  // all-to-all over them) loads every link of an orbit alike and times every
  // GPU of an orbit alike: the flows from the first `block` GPUs stand for
  // all of them, with each hop counted on its orbit's representative.
  struct ShiftSymmetry {
    int block = 0;              // GPUs; 0: none
    int copies = 1;             // n / block
    std::vector<int> hop_rep;   // per hop id: the hop of its orbit in the first block
  };
  // The smallest such block (a multiple of gpus_per_node dividing n, < n),
  // or block 0 when there is none. O(n) per candidate block.
  ShiftSymmetry shift_symmetry(int n) const;

  // Every member as bytes, and back: the network child process rebuilds the
  // parent's topology exactly from them (sim/net/detail/netsim_wire.h).
  std::string to_bytes() const;
  // Throws std::runtime_error when `bytes` are truncated or malformed.
  static Topology from_bytes(const std::string& bytes);

 private:
  Topology() = default;
  int nvl_link(int gpu) const { return gpu; }
  int nic_link(int gpu) const { return num_gpus_ + gpu; }
  int leaf_link(int leaf) const { return 2 * num_gpus_ + leaf; }
  int pod_link(int pod) const { return 2 * num_gpus_ + num_leaves_ + pod; }
  int send_link(int gpu) const { return 2 * num_gpus_ + num_leaves_ + num_pods_ + gpu; }
  int recv_link(int gpu) const { return 3 * num_gpus_ + num_leaves_ + num_pods_ + gpu; }
  static constexpr int up_hop(int link) { return link * 2 + 1; }
  static constexpr int down_hop(int link) { return link * 2; }
  int fabric_hops(int src, int dst, int* out) const;
  int network_hops(int src, int dst, int* out) const;

  FabricKind kind_ = FabricKind::kFatTree;
  int planes_ = 1;
  int num_gpus_ = 0;
  int gpus_per_node_ = 1;
  int down_ = 1;
  int num_leaves_ = 0;
  int pod_leaves_ = 0;  // leaves per pod; 0: two layers
  int num_pods_ = 0;
  bool engines_ = false;
  std::vector<int> leaf_;
  std::vector<int> pod_;  // per GPU, three tiers only
  // Per GPU, looked up rather than divided: routes are taken 1e8 times over.
  std::vector<int> node_, local_, plane_;
  std::vector<TopologyLink> links_;
};

// Inline: the fast model takes 1e7 routes for an all-to-all of 16,384 GPUs.
inline int Topology::fabric_hops(int src, int dst, int* out) const {
  const int ls = leaf_[static_cast<size_t>(src)], ld = leaf_[static_cast<size_t>(dst)];
  out[0] = up_hop(nic_link(src));
  if (ls == ld) {
    out[1] = down_hop(nic_link(dst));
    return 2;
  }
  out[1] = up_hop(leaf_link(ls));
  if (num_pods_ > 0) {
    const int ps = pod_[static_cast<size_t>(src)], pd = pod_[static_cast<size_t>(dst)];
    if (ps != pd) {
      out[2] = up_hop(pod_link(ps));
      out[3] = down_hop(pod_link(pd));
      out[4] = down_hop(leaf_link(ld));
      out[5] = down_hop(nic_link(dst));
      return 6;
    }
  }
  out[2] = down_hop(leaf_link(ld));
  out[3] = down_hop(nic_link(dst));
  return 4;
}

inline int Topology::network_hops(int src, int dst, int* out) const {
  if (node_of(src) == node_of(dst)) {
    out[0] = up_hop(nvl_link(src));
    out[1] = down_hop(nvl_link(dst));
    return 2;
  }
  if (kind_ == FabricKind::kMultiPlaneFatTree &&
      plane_[static_cast<size_t>(src)] != plane_[static_cast<size_t>(dst)]) {
    const int relay = src - local_of(src) + local_of(dst);
    out[0] = up_hop(nvl_link(src));
    out[1] = down_hop(nvl_link(relay));
    return 2 + fabric_hops(relay, dst, out + 2);
  }
  return fabric_hops(src, dst, out);
}

inline int Topology::route_hops(int src, int dst, int out[kMaxHops]) const {
  MOESIM_CHECK(src != dst && src >= 0 && dst >= 0 && src < num_gpus_ && dst < num_gpus_,
               "route needs two distinct GPUs of the cluster");
  if (!engines_) return network_hops(src, dst, out);
  out[0] = up_hop(send_link(src));
  const int n = 1 + network_hops(src, dst, out + 1);
  out[n] = down_hop(recv_link(dst));
  return n + 1;
}

}  // namespace moesim
