#include "sim/hw/cluster_spec.h"

namespace moesim {

bool FabricSpec::operator==(const FabricSpec& o) const {
  return kind == o.kind && transport == o.transport && planes == o.planes &&
         switch_ports == o.switch_ports && oversubscription == o.oversubscription &&
         aggregation_oversubscription == o.aggregation_oversubscription;
}

bool ClusterSpec::operator==(const ClusterSpec& o) const {
  return gpu == o.gpu && num_nodes == o.num_nodes && gpus_per_node == o.gpus_per_node &&
         nvlink_achievable == o.nvlink_achievable && ib_achievable == o.ib_achievable &&
         nvlink_latency == o.nvlink_latency && ib_latency == o.ib_latency &&
         fabric == o.fabric && efficiency_profile == o.efficiency_profile &&
         calibration_profile == o.calibration_profile && nics_per_node == o.nics_per_node;
}

const EfficiencyTable& efficiency_table(const ClusterSpec& c) {
  return c.calibration ? *c.calibration : efficiency_table_named(c.efficiency_profile);
}

// Achievable fractions measured on H800 by DeepSeek and applied to every GPU's
// datasheet link figure until a measured profile says otherwise:
//  - NVLink: "200 GB/s (about 160 GB/s achievable)", ISCA §4.3 -> 0.80.
//  - InfiniBand: 400 Gb/s = 50 GB/s per NIC, "40 GB/s" effective, ISCA §4.3 -> 0.80.
// Latencies: ISCA Table 5, NVLink 3.33 us; the scale-out fabric's from its
// transport (transport_figures).
constexpr double kNvlinkAchievableFraction = 160.0 / 200.0;
constexpr double kIbAchievableFraction = 40.0 / 50.0;

// ISCA Table 5: IB 2.8 us within a leaf, 3.7 us across leaves; RoCE 3.6 and
// 5.6 us. ISCA §5.2.1: IB switches have 64 ports, RoCE switches commonly 128.
// (One third-party summary says Table 5 measured 64 B transfers; unconfirmed,
// shared/reference/published-figures.md §3.)
const TransportFigures& transport_figures(FabricTransport t) {
  static const TransportFigures kInfiniBand{Microseconds(2.8), Microseconds(3.7), 64};
  static const TransportFigures kRoce{Microseconds(3.6), Microseconds(5.6), 128};
  return t == FabricTransport::kRoce ? kRoce : kInfiniBand;
}

ClusterSpec default_cluster(const GpuSpec& gpu, int nodes) {
  ClusterSpec c;
  c.gpu = gpu;
  c.num_nodes = nodes;
  c.gpus_per_node = 8;
  c.nvlink_achievable = gpu.nvlink_bandwidth * kNvlinkAchievableFraction;
  c.ib_achievable = gpu.nic_bandwidth * kIbAchievableFraction;
  c.nvlink_latency = Microseconds(3.33);
  c.ib_latency = transport_figures(c.fabric.transport).cross_leaf_latency;
  return c;
}

void set_transport(ClusterSpec& c, FabricTransport t) {
  c.fabric.transport = t;
  c.fabric.switch_ports = transport_figures(t).switch_ports;
  c.ib_latency = transport_figures(t).cross_leaf_latency;
}

std::vector<std::string> validate(const ClusterSpec& c) {
  std::vector<std::string> e;
  if (c.num_nodes <= 0) e.push_back("nodes: must be a positive integer");
  if (c.gpus_per_node <= 0) e.push_back("gpus_per_node: must be a positive integer");
  if (c.nics_per_node < 0) {
    e.push_back("nics_per_node: must be a positive integer");
  } else if (c.nics_per_node != 0 && c.gpus_per_node > 0 && c.nics_per_node < c.gpus_per_node) {
    e.push_back("nics_per_node: " + std::to_string(c.nics_per_node) + " NICs for " +
                std::to_string(c.gpus_per_node) +
                " GPUs per node leaves a GPU with no NIC; the modeled fabrics give every GPU its "
                "own NIC (one per GPU)");
  } else if (c.nics_per_node > c.gpus_per_node && c.gpus_per_node > 0) {
    e.push_back("nics_per_node: " + std::to_string(c.nics_per_node) + " NICs for " +
                std::to_string(c.gpus_per_node) +
                " GPUs per node: more than one NIC per GPU is not modeled");
  }
  if (!(c.nvlink_achievable > BytesPerSecond())) e.push_back("nvlink_GB_per_s: must be > 0");
  if (!(c.ib_achievable > BytesPerSecond())) e.push_back("ib_GB_per_s: must be > 0");
  if (c.nvlink_latency < Seconds()) e.push_back("nvlink_latency_us: must be >= 0");
  if (c.ib_latency < Seconds()) e.push_back("ib_latency_us: must be >= 0");
  if (c.fabric.kind == FabricKind::kMultiPlaneFatTree) {
    if (c.fabric.planes <= 0)
      e.push_back("fabric/planes: must be a positive integer");
    else if (c.gpus_per_node > 0 && c.gpus_per_node % c.fabric.planes != 0)
      e.push_back("fabric/planes: " + std::to_string(c.fabric.planes) +
                  " planes do not divide " + std::to_string(c.gpus_per_node) + " GPUs per node");
  }
  if (c.fabric.switch_ports < 2) e.push_back("fabric/switch_ports: must be >= 2");
  if (!(c.fabric.oversubscription >= 1.0))
    e.push_back("fabric/oversubscription: must be >= 1 (1 = non-blocking)");
  if (!(c.fabric.aggregation_oversubscription >= 1.0))
    e.push_back("fabric/aggregation_oversubscription: must be >= 1 (1 = non-blocking)");
  if (c.efficiency_profile != "published" && c.efficiency_profile != "datasheet")
    e.push_back("efficiency_profile: expected \"published\" or \"datasheet\", found \"" +
                c.efficiency_profile + "\"");
  return e;
}

const char* to_string(FabricKind k) {
  switch (k) {
    case FabricKind::kMultiPlaneFatTree: return "multi_plane_fat_tree";
    case FabricKind::kRailOptimized: return "rail_optimized";
    case FabricKind::kFatTree: return "fat_tree";
  }
  return "?";
}

const char* to_string(FabricTransport t) {
  switch (t) {
    case FabricTransport::kInfiniBand: return "infiniband";
    case FabricTransport::kRoce: return "roce";
  }
  return "?";
}

}  // namespace moesim
