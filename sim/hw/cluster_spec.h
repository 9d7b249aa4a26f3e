#pragma once
// A cluster: nodes of identical GPUs, the scale-up link between GPUs of a node
// (NVLink through NVSwitch) and the scale-out fabric (one NIC per GPU into
// InfiniBand or RoCE). Bandwidths here are the *achievable* per-direction
// figures that the cost model uses; their defaults and sources are in
// cluster_spec.cpp. The `ib_` fields are the scale-out NIC's figures whatever
// the fabric's transport (their JSON keys keep the name).

#include <memory>
#include <string>
#include <vector>

#include "sim/core/units.h"
#include "sim/hw/efficiency_table.h"
#include "sim/hw/gpu_spec.h"

namespace moesim {

enum class FabricKind {
  kMultiPlaneFatTree,  // DeepSeek's MPFT: plane i holds GPU i of every node (ISCA §5.1)
  kRailOptimized,      // rail-optimized fat-tree
  kFatTree,            // classic fat-tree, possibly oversubscribed
};

// DO NOT CHANGE THE SPELLINGS (to_string): they are the JSON values of
// cluster.fabric.transport.
enum class FabricTransport {
  kInfiniBand,  // the default; ISCA Table 5's IB figures
  kRoce,        // RDMA over Converged Ethernet; ISCA Table 5's RoCE figures
};

// What a transport's switches give a cluster by default: data, not code
// (ISCA Table 5 latencies, ISCA §5.2.1 radix). A cluster's ib_latency is the
// cross-leaf figure; the network splits it between NIC and switch hops in the
// ratio same-leaf / cross-leaf (sim/net/topology.h).
struct TransportFigures {
  Seconds same_leaf_latency;   // NIC -> leaf -> NIC
  Seconds cross_leaf_latency;  // NIC -> leaf -> spine -> leaf -> NIC
  int switch_ports = 64;       // the radix of the transport's usual switch
};
const TransportFigures& transport_figures(FabricTransport t);

// The scale-out fabric: a two-layer fat-tree while a plane's leaves fit under
// one layer of spines (at most switch_ports leaves), else a three-tier Clos
// whose leaves group into pods under aggregation switches (sim/net/topology.h).
struct FabricSpec {
  FabricKind kind = FabricKind::kMultiPlaneFatTree;
  FabricTransport transport = FabricTransport::kInfiniBand;
  int planes = 8;                 // multi-plane only; must divide gpus_per_node
  int switch_ports = 64;          // switch radix, every layer
  double oversubscription = 1.0;  // leaf layer, >= 1; 2.0 halves the bisection bandwidth
  // Aggregation layer of a three-tier Clos (a pod's up-link into the core),
  // >= 1; unused by two-layer trees.
  double aggregation_oversubscription = 1.0;
  bool operator==(const FabricSpec& o) const;
};

struct ClusterSpec {
  GpuSpec gpu;                         // resolved from the catalog, with overrides applied
  int num_nodes = 0;
  int gpus_per_node = 8;
  // Scale-out NICs per node. The fabrics modeled give every GPU its own NIC
  // (V3TR §3.2.2: one 400 Gb/s CX7 per GPU); 0 means "one per GPU".
  int nics_per_node = 0;
  BytesPerSecond nvlink_achievable;    // per GPU per direction, as kernels see it
  BytesPerSecond ib_achievable;        // per NIC per direction, as kernels see it
  Seconds nvlink_latency;
  Seconds ib_latency;
  FabricSpec fabric;
  std::string efficiency_profile = "published";  // "published" or "datasheet"
  // A measured (or other) calibration profile, which then replaces the shipped
  // efficiency table: its path as resolved, and the table fitted to it.
  std::string calibration_profile;
  std::shared_ptr<const EfficiencyTable> calibration;

  int num_gpus() const { return num_nodes * gpus_per_node; }
  bool operator==(const ClusterSpec& o) const;
};

// The efficiency table the cost model uses: the calibration profile's when one
// is given, else the shipped table named by efficiency_profile.
const EfficiencyTable& efficiency_table(const ClusterSpec& c);

// A cluster of `nodes` nodes of `gpu` with the documented default links, on
// an InfiniBand fabric.
ClusterSpec default_cluster(const GpuSpec& gpu, int nodes);

// Moves `c` to transport `t` with that transport's defaults: the fabric's
// switch_ports and the cluster's ib_latency (cross-leaf). Other fields, the
// NIC bandwidth among them, are kept.
void set_transport(ClusterSpec& c, FabricTransport t);

// Problems as "field: what is wrong" strings (field names are the JSON keys).
std::vector<std::string> validate(const ClusterSpec& c);

const char* to_string(FabricKind k);
const char* to_string(FabricTransport t);  // "infiniband", "roce"

}  // namespace moesim
