#pragma once
// A cluster: nodes of identical GPUs, the scale-up link between GPUs of a node
// (NVLink through NVSwitch) and the scale-out fabric (one NIC per GPU into
// InfiniBand). Bandwidths here are the *achievable* per-direction figures that
// the cost model uses; their defaults and sources are in cluster_defaults.cpp.

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

struct FabricSpec {
  FabricKind kind = FabricKind::kMultiPlaneFatTree;
  int planes = 8;                 // multi-plane only; must divide gpus_per_node
  int switch_ports = 64;          // switch radix
  double oversubscription = 1.0;  // >= 1; 2.0 halves the bisection bandwidth
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

// A cluster of `nodes` nodes of `gpu` with the documented default links.
ClusterSpec default_cluster(const GpuSpec& gpu, int nodes);

// Problems as "field: what is wrong" strings (field names are the JSON keys).
std::vector<std::string> validate(const ClusterSpec& c);

const char* to_string(FabricKind k);

}  // namespace moesim
