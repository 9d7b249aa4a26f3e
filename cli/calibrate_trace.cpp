// moesim calibrate --trace: a profiler trace of a real step to a calibration
// profile (sim/trace/trace_calibration.h), with the table of what was derived
// and every kernel no rule classifies.
#include "cli/calibrate_trace.h"

#include <cstdio>

#include "cli/cli.h"
#include "sim/scenario/scenario_json.h"
#include "sim/trace/kineto_trace.h"
#include "sim/trace/trace_calibration.h"

namespace moesim::cli {

namespace {

std::string num(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

}  // namespace

KernelMap kernel_map_for(const std::optional<std::string>& user_map) {
  return user_map ? merge_kernel_maps(load_kernel_map(*user_map), default_kernel_map())
                  : default_kernel_map();
}

void print_trace_overview(const TraceSummary& t, std::ostream& out) {
  out << t.file << ": " << (t.device.empty() ? "device not recorded" : t.device)
      << (t.date.empty() ? "" : ", " + t.date)
      << (t.world_size > 0 ? ", rank " + std::to_string(t.rank) + " of " +
                                 std::to_string(t.world_size)
                           : "")
      << "\n  " << t.kernels << " kernels on " << t.streams.size() << " streams over "
      << num("%.2f ms", t.span_us / 1e3) << "; compute busy " << num("%.2f ms", t.compute_busy_us / 1e3)
      << ", communication busy " << num("%.2f ms", t.comm_busy_us / 1e3) << "\n";
  out << "  classes:";
  for (const auto& [c, time] : t.totals)
    out << " " << to_string(c) << " " << time.kernels << " (" << num("%.2f ms", time.busy_us / 1e3) << ")";
  out << "\n";
  if (t.kernels_outside_stages > 0)
    out << "  " << t.kernels_outside_stages << " classified kernels ("
        << num("%.2f ms", t.outside_stages_us / 1e3)
        << ") ran in no stage annotation the kernel map names: not used for per-pass figures\n";
  if (t.unknown.empty()) {
    out << "  every kernel classified\n";
  } else {
    out << "  " << t.unknown.size() << " kernel names no rule classifies (add rules with --map):\n";
    for (const UnknownKernel& u : t.unknown)
      out << "    " << u.count << " x " << num("%.1f us", u.us) << "  " << u.name.substr(0, 160) << "\n";
  }
}

int calibrate_trace(const std::string& trace_path, const std::string& scenario_path,
                    const std::optional<std::string>& user_map, const std::string& output,
                    std::ostream& out, std::ostream& err) {
  const KernelMap map = kernel_map_for(user_map);
  const Scenario s = load_scenario(scenario_path);
  const KernelTrace trace = load_kineto_trace(trace_path);
  const TraceSummary t = summarize_trace(trace, map);
  print_trace_overview(t, out);
  const TraceCalibration c = calibrate_from_trace(t, s, trace_path);
  out << "\nIn-training figures (per layer; work from scenario '" << s.name << "')\n";
  char line[320];
  std::snprintf(line, sizeof line, "  %-5s %-11s %-10s %7s %11s %11s %12s %7s %12s %7s\n", "block",
                "pass", "class", "kernels", "measured", "recompute", "work", "SMs", "achieved",
                "eff");
  out << line;
  for (const CalibrationRow& r : c.rows) {
    const bool compute = r.cls == KernelClass::kGemm || r.cls == KernelClass::kGemmBf16 ||
                         r.cls == KernelClass::kAttention;
    std::snprintf(line, sizeof line, "  %-5s %-11s %-10s %7d %11s %11s %12s %7s %12s %7s%s%s\n",
                  r.block.c_str(), to_string(r.pass), to_string(r.cls), r.kernels,
                  num("%.1f us", r.measured_us).c_str(),
                  r.recompute_us > 0 ? num("%.1f us", r.recompute_us).c_str() : "-",
                  compute ? num("%.1f GF", r.work / 1e9).c_str() : num("%.1f MB", r.work / 1e6).c_str(),
                  compute ? num("%.3f", r.sm_share).c_str() : "-",
                  r.efficiency > 0 ? (compute ? num("%.0f TFLOPS", r.achieved / 1e12)
                                              : num("%.0f GB/s", r.achieved / 1e9))
                                         .c_str()
                                   : "-",
                  r.efficiency > 0 ? num("%.1f%%", 100 * r.efficiency).c_str() : "-",
                  r.note.empty() ? "" : "  ", r.note.c_str());
    out << line;
  }
  if (c.notify_dispatch_s > 0 || c.notify_cached_s > 0)
    out << "  DeepEP notify per call: " << num("%.1f us", c.notify_dispatch_s * 1e6)
        << " before a fresh dispatch, " << num("%.1f us", c.notify_cached_s * 1e6)
        << " cached, at EP" << s.plan.ep << "\n";
  if (c.call_model_s[0] > 0)
    out << "  DeepEP calls per call, measured against moesim's lone call: dispatch "
        << num("%.1f us", c.call_s[0] * 1e6) << " / " << num("%.1f us", c.call_model_s[0] * 1e6)
        << " (x" << num("%.2f", c.call_s[0] / c.call_model_s[0]) << "), combine "
        << num("%.1f us", c.call_s[1] * 1e6) << " / " << num("%.1f us", c.call_model_s[1] * 1e6)
        << " (x" << num("%.2f", c.call_s[1] / c.call_model_s[1]) << ")\n";
  for (const std::string& w : c.warnings) err << "warning: " << w << "\n";
  write_file_atomically(output, c.profile.dump(1) + "\n");
  out << "\nwrote " << output << "\n";
  return kExitOk;
}

}  // namespace moesim::cli
