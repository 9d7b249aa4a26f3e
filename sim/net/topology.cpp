#include "sim/net/topology.h"

#include <cstdint>
#include <cstring>
#include <stdexcept>

#include <algorithm>

#include "sim/core/check.h"

namespace moesim {
namespace {

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

// Leaves under one pod's aggregation switches: floor(P x a / (1 + a)), the
// leaf rule one layer up.
int pod_leaf_count(const ClusterSpec& c) {
  const double a = c.fabric.aggregation_oversubscription;
  return std::max(1, static_cast<int>(c.fabric.switch_ports * a / (1.0 + a)));
}

// Whether a tree of `leaves` leaves needs the third layer: a two-layer tree
// holds at most switch_ports leaves.
bool needs_three_tiers(const ClusterSpec& c, int leaves) {
  return leaves > 1 && leaves > c.fabric.switch_ports;
}

// The switches (leaves or pods: `label` per GPU, `count` of them) of the
// first n GPUs under the shift g -> (g + block) mod n: true when the shift
// maps them one to one (equality of labels kept both ways) and every used
// one returns to itself after exactly n / block shifts, not before (a free
// action: each orbit counts its links once); then rep holds, per switch, the
// lowest of its orbit (-1 where unused).
bool switch_orbits(const std::vector<int>& label, int count, int n, int block,
                   std::vector<int>& rep) {
  const int copies = n / block;
  std::vector<int> image(static_cast<size_t>(count), -1);
  std::vector<int> source(static_cast<size_t>(count), -1);
  for (int g = 0; g < n; ++g) {
    const int from = label[static_cast<size_t>(g)];
    const int to = label[static_cast<size_t>((g + block) % n)];
    int& im = image[static_cast<size_t>(from)];
    int& so = source[static_cast<size_t>(to)];
    if (!((im < 0 || im == to) && (so < 0 || so == from))) return false;
    im = to;
    so = from;
  }
  rep.assign(static_cast<size_t>(count), -1);
  for (int l = 0; l < count; ++l) {
    if (image[static_cast<size_t>(l)] < 0 || rep[static_cast<size_t>(l)] >= 0) continue;
    int at = l, steps = 0;
    do {
      rep[static_cast<size_t>(at)] = l;
      at = image[static_cast<size_t>(at)];
      ++steps;
    } while (at != l && at >= 0 && steps <= copies);
    if (!(at == l && steps == copies)) return false;
  }
  return true;
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
  if (!(c.fabric.aggregation_oversubscription >= 1.0)) return e;
  const int down = leaf_down_links(c);
  const int leaves = leaves_per_tree(c, down);
  const int ports = c.fabric.switch_ports;
  if (!needs_three_tiers(c, leaves)) return e;
  const int per_pod = pod_leaf_count(c);
  const int pods = ceil_div(leaves, per_pod);
  if (pods > ports) {
    const bool mp = c.fabric.kind == FabricKind::kMultiPlaneFatTree;
    e.push_back("fabric/switch_ports: a three-tier Clos of " + std::to_string(ports) +
                "-port switches has at most " + std::to_string(ports) + " pods of " +
                std::to_string(per_pod) + " leaves of " + std::to_string(down) + " down-links" +
                (mp ? " per plane" : "") + "; " + std::to_string(c.num_nodes) + " nodes need " +
                std::to_string(leaves) + " leaves in " + std::to_string(pods) +
                " pods (a fourth switch layer is not modeled)");
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
  if (needs_three_tiers(c, per_tree)) {
    // A leaf's place in its tree, in the order that fills pods.
    pod_leaves_ = pod_leaf_count(c);
    const int pods_per_tree = ceil_div(per_tree, pod_leaves_);
    const int blocks = ceil_div(nodes, down_);
    num_pods_ = kind_ == FabricKind::kMultiPlaneFatTree ? pods_per_tree * planes_ : pods_per_tree;
    pod_.resize(static_cast<size_t>(num_gpus_));
    for (int g = 0; g < num_gpus_; ++g) {
      const int leaf = leaf_[static_cast<size_t>(g)];
      switch (kind_) {
        case FabricKind::kMultiPlaneFatTree:
          pod_[g] = (leaf / per_tree) * pods_per_tree + (leaf % per_tree) / pod_leaves_;
          break;
        case FabricKind::kRailOptimized:  // leaf = rail x blocks + block
          pod_[g] = ((leaf % blocks) * gpus_per_node_ + leaf / blocks) / pod_leaves_;
          break;
        case FabricKind::kFatTree:
          pod_[g] = leaf / pod_leaves_;
          break;
      }
    }
  }

  const TransportFigures& transport = transport_figures(c.fabric.transport);
  const double same_leaf_share = transport.same_leaf_latency / transport.cross_leaf_latency;
  const Seconds nic_latency = c.ib_latency * (0.5 * same_leaf_share);
  const Seconds leaf_latency = c.ib_latency * (0.5 * (1.0 - same_leaf_share));
  const BytesPerSecond leaf_up =
      c.ib_achievable * (static_cast<double>(down_) / c.fabric.oversubscription);
  links_.reserve(2 * num_gpus_ + num_leaves_ + num_pods_);
  for (int g = 0; g < num_gpus_; ++g)
    links_.push_back({"nvl" + std::to_string(g), c.nvlink_achievable, c.nvlink_latency * 0.5});
  for (int g = 0; g < num_gpus_; ++g)
    links_.push_back({"nic" + std::to_string(g), c.ib_achievable, nic_latency});
  for (int l = 0; l < num_leaves_; ++l)
    links_.push_back({"leaf" + std::to_string(l), leaf_up, leaf_latency});
  // A pod's up-link into the core: its leaves' up-links over the aggregation
  // oversubscription; a hop costs what a leaf up-link hop does (header).
  const BytesPerSecond pod_up =
      leaf_up * (static_cast<double>(pod_leaves_) / c.fabric.aggregation_oversubscription);
  for (int p = 0; p < num_pods_; ++p)
    links_.push_back({"pod" + std::to_string(p), pod_up, leaf_latency});
  engines_ = engines.any();
  if (engines_) {
    for (int g = 0; g < num_gpus_; ++g)
      links_.push_back({"smtx" + std::to_string(g), engines.send, Seconds()});
    for (int g = 0; g < num_gpus_; ++g)
      links_.push_back({"smrx" + std::to_string(g), engines.recv, Seconds()});
  }
}

std::vector<LinkHop> Topology::up(int gpu) const {
  std::vector<LinkHop> r;
  if (engines_) r.push_back({send_link(gpu), true});
  r.push_back({nic_link(gpu), true});
  r.push_back({leaf_link(leaf_[gpu]), true});
  if (num_pods_ > 0) r.push_back({pod_link(pod_[static_cast<size_t>(gpu)]), true});
  return r;
}

std::vector<LinkHop> Topology::down(int gpu) const {
  std::vector<LinkHop> r;
  if (num_pods_ > 0) r.push_back({pod_link(pod_[static_cast<size_t>(gpu)]), false});
  r.push_back({leaf_link(leaf_[gpu]), false});
  r.push_back({nic_link(gpu), false});
  if (engines_) r.push_back({recv_link(gpu), false});
  return r;
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
  if (num_pods_ > 0 && pod_[static_cast<size_t>(src)] == pod_[static_cast<size_t>(dst)])
    return true;
  return kind_ == FabricKind::kMultiPlaneFatTree &&
         local_of(src) % planes_ != local_of(dst) % planes_;
}

Topology::ShiftSymmetry Topology::shift_symmetry(int n) const {
  ShiftSymmetry none;
  if (n < 2 || n > num_gpus_ || n % gpus_per_node_ != 0) return none;
  for (int block = gpus_per_node_; block < n; block += gpus_per_node_) {
    if (n % block != 0) continue;
    const int copies = n / block;
    std::vector<int> leaf_rep, pod_rep;
    if (!switch_orbits(leaf_, num_leaves_, n, block, leaf_rep)) continue;
    if (num_pods_ > 0 && !switch_orbits(pod_, num_pods_, n, block, pod_rep)) continue;
    // The hops: a GPU's links go to the GPU of its orbit in the first block,
    // a leaf's (pod's) up-link to the representative leaf (pod), the lowest
    // of its orbit.
    ShiftSymmetry s;
    s.block = block;
    s.copies = copies;
    s.hop_rep.resize(2 * links_.size());
    for (size_t h = 0; h < s.hop_rep.size(); ++h) s.hop_rep[h] = static_cast<int>(h);
    bool ok = true;
    const auto map_link = [&](int from, int to) {
      const TopologyLink& a = links_[static_cast<size_t>(from)];
      const TopologyLink& b = links_[static_cast<size_t>(to)];
      ok = ok && a.bandwidth == b.bandwidth && a.latency == b.latency;
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
      map_link(leaf_link(l), leaf_link(leaf_rep[static_cast<size_t>(l)]));
      if (num_pods_ > 0) {
        const int p = pod_[static_cast<size_t>(g)];
        map_link(pod_link(p), pod_link(pod_rep[static_cast<size_t>(p)]));
      }
    }
    if (ok) return s;
  }
  return none;
}

namespace {

// Plain values and int vectors appended as bytes, and read back with bounds
// checks (a child reading a parent's topology trusts nothing).
class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  template <class T>
  void put(const T& v) {
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void put(const std::vector<int>& v) {
    put(static_cast<uint64_t>(v.size()));
    if (!v.empty())  // an empty vector's data() may be null
      out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(int));
  }
  void put(const std::string& v) {
    put(static_cast<uint64_t>(v.size()));
    out_.append(v);
  }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(const std::string& in) : in_(in) {}
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, in_.data() + at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  std::vector<int> ints() {
    const auto n = get<uint64_t>();
    need(n * sizeof(int));
    std::vector<int> v(n);
    if (n > 0) std::memcpy(v.data(), in_.data() + at_, n * sizeof(int));
    at_ += n * sizeof(int);
    return v;
  }
  std::string text() {
    const auto n = get<uint64_t>();
    need(n);
    std::string v = in_.substr(at_, n);
    at_ += n;
    return v;
  }
  bool done() const { return at_ == in_.size(); }

 private:
  void need(uint64_t n) const {
    if (n > in_.size() - at_) throw std::runtime_error("a truncated topology");
  }
  const std::string& in_;
  size_t at_ = 0;
};

}  // namespace

std::string Topology::to_bytes() const {
  std::string out;
  ByteWriter w(out);
  w.put(static_cast<int32_t>(kind_));
  for (int v : {planes_, num_gpus_, gpus_per_node_, down_, num_leaves_, pod_leaves_, num_pods_})
    w.put(static_cast<int32_t>(v));
  w.put(static_cast<uint8_t>(engines_ ? 1 : 0));
  for (const std::vector<int>* v : {&leaf_, &pod_, &node_, &local_, &plane_}) w.put(*v);
  w.put(static_cast<uint64_t>(links_.size()));
  for (const TopologyLink& l : links_) {
    w.put(l.name);
    w.put(bytes_per_s(l.bandwidth));
    w.put(seconds(l.latency));
  }
  return out;
}

Topology Topology::from_bytes(const std::string& bytes) {
  ByteReader r(bytes);
  Topology t;
  const auto kind = r.get<int32_t>();
  if (kind < 0 || kind > static_cast<int32_t>(FabricKind::kFatTree))
    throw std::runtime_error("a topology of an unknown fabric kind");
  t.kind_ = static_cast<FabricKind>(kind);
  for (int* v : {&t.planes_, &t.num_gpus_, &t.gpus_per_node_, &t.down_, &t.num_leaves_,
                 &t.pod_leaves_, &t.num_pods_})
    *v = r.get<int32_t>();
  t.engines_ = r.get<uint8_t>() != 0;
  for (std::vector<int>* v : {&t.leaf_, &t.pod_, &t.node_, &t.local_, &t.plane_}) *v = r.ints();
  const auto links = r.get<uint64_t>();
  if (links > bytes.size()) throw std::runtime_error("a truncated topology");
  t.links_.reserve(links);
  for (uint64_t i = 0; i < links; ++i) {
    TopologyLink l;
    l.name = r.text();
    l.bandwidth = BytesPerSecond::from_base(r.get<double>());
    l.latency = Seconds::from_base(r.get<double>());
    t.links_.push_back(std::move(l));
  }
  if (!r.done()) throw std::runtime_error("trailing bytes after a topology");
  const auto n = static_cast<size_t>(t.num_gpus_);
  if (t.num_gpus_ < 1 || t.leaf_.size() != n || t.node_.size() != n || t.local_.size() != n ||
      t.plane_.size() != n || (t.num_pods_ > 0 && t.pod_.size() != n))
    throw std::runtime_error("a malformed topology");
  return t;
}

}  // namespace moesim
