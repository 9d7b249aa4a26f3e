// The cluster part (docs/scenario-format.md, "cluster"): a catalog GPU, a node
// count, and optional overrides of the links default_cluster() derives from
// the GPU. Bandwidths are in GB/s (1e9 bytes/s), latencies in microseconds.
// The fabric's transport sets the defaults of its switch radix and of the
// cluster's ib_latency_us (transport_figures); keys given override them.
#include <filesystem>

#include "sim/core/diagnostics.h"
#include "sim/hw/calibration_profile.h"
#include "sim/hw/gpu_spec.h"
#include "sim/scenario/detail/parts.h"

namespace moesim::detail {

namespace {

const auto kFabricKinds =
    name_table({FabricKind::kMultiPlaneFatTree, FabricKind::kRailOptimized, FabricKind::kFatTree});

const auto kTransports = name_table({FabricTransport::kInfiniBand, FabricTransport::kRoce});

const std::vector<std::string> kEfficiencyProfiles = {"published", "datasheet"};

constexpr IntRule kSwitchPorts{2, INT_MAX, "an integer >= 2 (switch radix)"};
constexpr NumberRule kOversubscription{1.0, true, false, "a number >= 1 (1 = non-blocking)"};

FabricSpec read_fabric(const json& j, const JsonLocation& at, ParseLog& log) {
  FabricSpec f;
  ObjectReader r(j, at, log, "the scale-out fabric");
  if (!r.valid()) return f;
  r.read_enum("kind", f.kind, kFabricKinds);
  if (r.read_enum("transport", f.transport, kTransports))
    f.switch_ports = transport_figures(f.transport).switch_ports;
  if (f.kind == FabricKind::kMultiPlaneFatTree)
    r.read("planes", f.planes, kPositiveInt);
  else
    r.reject("planes", "applies to \"multi_plane_fat_tree\" fabrics only");
  r.read("switch_ports", f.switch_ports, kSwitchPorts);
  r.read("oversubscription", f.oversubscription, kOversubscription);
  r.read("aggregation_oversubscription", f.aggregation_oversubscription, kOversubscription);
  r.finish();
  return f;
}

const GpuSpec* read_gpu(ObjectReader& r, std::string& name) {
  if (!r.read("gpu", name, kRequired)) return nullptr;
  const GpuSpec* gpu = find_gpu(name);
  if (!gpu) {
    const auto names = gpu_names();
    const std::string near = closest_match(name, names);
    r.log().bad_value(r.where() / "gpu",
                      "unknown GPU \"" + name + "\"; " +
                          (near.empty() ? "" : "did you mean \"" + near + "\"? ") +
                          "the catalog has " + quoted_list(names));
  }
  return gpu;
}

}  // namespace

ClusterSpec parse_cluster(const json& j, const JsonLocation& at, ParseLog& log,
                          const std::string& dir_of_file) {
  const size_t bad_before = log.bad_values();
  ClusterSpec c;
  ObjectReader r(j, at, log, "a cluster");
  if (!r.valid()) return c;
  r.ignore("source");
  r.ignore("description");
  std::string gpu_name;
  const GpuSpec* gpu = read_gpu(r, gpu_name);
  int nodes = 0;
  r.read("nodes", nodes, kPositiveInt, kRequired);
  if (gpu) {
    c = default_cluster(*gpu, nodes);
  } else {
    c.gpu.name = gpu_name;
    c.num_nodes = nodes;
  }
  r.read("gpus_per_node", c.gpus_per_node, kPositiveInt);
  r.read("nics_per_node", c.nics_per_node, kPositiveInt);
  double v = 0;
  // Bounded where a typo could overflow the arithmetic (1e308 us): 1e6 GB/s
  // is 1,100x NVLink 5's 900 GB/s; 1e6 us (1 s) per message is no network.
  constexpr NumberRule kBandwidth{0.0, false, false, "a positive number", 1e6, "at most 1e6 GB/s"};
  constexpr NumberRule kLatency{0.0, true, false, "a non-negative number", 1e6,
                                "at most 1e6 us (1 s)"};
  if (r.read("nvlink_GB_per_s", v, kBandwidth)) c.nvlink_achievable = GBPerSecond(v);
  if (r.read("ib_GB_per_s", v, kBandwidth)) c.ib_achievable = GBPerSecond(v);
  if (r.read("nvlink_latency_us", v, kLatency)) c.nvlink_latency = Microseconds(v);
  const bool ib_latency_given = r.read("ib_latency_us", v, kLatency);
  if (ib_latency_given) c.ib_latency = Microseconds(v);
  if (const json* f = r.get("fabric", kOptional, "an object")) {
    c.fabric = read_fabric(*f, at / "fabric", log);
    if (!ib_latency_given && gpu)
      c.ib_latency = transport_figures(c.fabric.transport).cross_leaf_latency;
  }
  const int profile = r.read_choice("efficiency_profile", kEfficiencyProfiles);
  if (profile >= 0) c.efficiency_profile = kEfficiencyProfiles[static_cast<size_t>(profile)];
  std::string calibration;
  if (r.read("calibration_profile", calibration)) {
    // Relative to the file that names it, like every other reference.
    const std::filesystem::path dir = dir_of_file;
    const std::filesystem::path path =
        (std::filesystem::path(calibration).is_absolute() ? std::filesystem::path(calibration)
                                                          : dir / calibration)
            .lexically_normal();
    try {
      const CalibrationProfile p = load_calibration_profile(path.string());
      if (gpu && p.gpu.name != gpu->name)
        log.bad_value(at / "calibration_profile",
                      "the profile was made on " + p.gpu.name + ", the cluster has " + gpu->name);
      c.calibration_profile = path.string();
      c.calibration = std::make_shared<const EfficiencyTable>(efficiency_table_from_profile(p));
    } catch (const InputError& e) {
      for (const auto& d : e.diagnostics().items())
        log.bad_value(at / "calibration_profile", d.to_string());
    }
  }
  r.finish();
  // Without a GPU the link defaults are missing too; that is not news.
  if (log.bad_values() == bad_before) report_field_messages(validate(c), at, log, nullptr, &j);
  return c;
}

}  // namespace moesim::detail
