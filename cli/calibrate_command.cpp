#include <cstdio>

#include "cli/args.h"
#include "cli/calibrate_trace.h"
#include "cli/cli.h"
#include "sim/core/diagnostics.h"
#include "sim/hw/calibration_check.h"

namespace moesim::cli {

namespace {
const char* const kCalibrateUsage =
    "usage: moesim calibrate PROFILE...\n"
    "       moesim calibrate --trace TRACE [--scenario SCENARIO] [--map MAP] [-o PROFILE]\n"
    "\n"
    "Reads calibration profiles (validation/calibration/*.json, or what real/ measured),\n"
    "checks them against their schema (exit status 2 with file, JSON path and what was\n"
    "expected when one does not fit), fits the efficiency model of each op class, and\n"
    "prints per entry: the measured efficiency, the fitted one, the one predicted with\n"
    "the entry's whole shape family left out, and the errors.\n"
    "\n"
    "With --trace: reads a PyTorch profiler (Kineto) Chrome trace of real training\n"
    "(.json or .json.gz), classifies every kernel with the kernel map\n"
    "(validation/calibration/kineto-kernel-map.json, compiled in; --map adds your own\n"
    "rules, which win), finds each kernel's stage from the record_function annotation\n"
    "that launched it (attn(F), mlp(W), dispatch(B), ...), sets each op class's time per\n"
    "layer against the work moesim's op graph gives it for SCENARIO (the plan the trace\n"
    "ran; default scenarios/deepseek-v3-pretrain-2048xH800.json), and writes a\n"
    "calibration profile with per-class, per-pass, per-block in-training figures and\n"
    "DeepEP's notify time per call (default output: TRACE's name + .calibration.json).\n"
    "Kernels no rule classifies are listed. Use the profile with\n"
    "\"calibration_profile\" in a scenario's cluster. docs/calibration.md has the workflow.\n";

std::string pct(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", 100 * v);
  return b;
}
std::string err(double fitted, double measured) {
  char b[32];
  std::snprintf(b, sizeof b, "%+.1f%%", 100 * (fitted / measured - 1));
  return b;
}
}  // namespace

int calibrate_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& e) {
  const ParsedArgs a = parse_args(args, {"--trace", "--scenario", "--map", "-o"}, {"--help"});
  if (a.flags.count("--help")) {
    out << kCalibrateUsage;
    return kExitOk;
  }
  if (const auto trace = a.get("--trace")) {
    if (!a.positional.empty()) {
      e << "error: moesim calibrate --trace takes no profiles\n\n" << kCalibrateUsage;
      return kExitBadInput;
    }
    std::string output = a.get("-o").value_or("");
    if (output.empty()) {
      output = *trace;
      for (const char* ext : {".gz", ".json"})
        if (output.size() > std::string(ext).size() &&
            output.compare(output.size() - std::string(ext).size(), std::string::npos, ext) == 0)
          output.resize(output.size() - std::string(ext).size());
      const size_t slash = output.rfind('/');
      if (slash != std::string::npos) output = output.substr(slash + 1);
      output += ".calibration.json";
    }
    return calibrate_trace(*trace,
                           a.get("--scenario").value_or("scenarios/deepseek-v3-pretrain-2048xH800.json"),
                           a.get("--map"), output, out, e);
  }
  for (const char* o : {"--scenario", "--map", "-o"})
    if (a.get(o)) {
      e << "error: " << o << " goes with --trace\n\n" << kCalibrateUsage;
      return kExitBadInput;
    }
  if (a.positional.empty()) {
    e << "error: moesim calibrate needs at least one profile\n\n" << kCalibrateUsage;
    return kExitBadInput;
  }
  std::vector<CalibrationProfile> profiles;
  Diagnostics all;
  for (const auto& p : a.positional) {
    try {
      profiles.push_back(load_calibration_profile(p));
    } catch (const InputError& x) {
      all.append(x.diagnostics());
    }
  }
  all.throw_if_any();
  for (const auto& p : profiles) {
    const CalibrationCheck c = check_calibration(p);
    out << p.file << ": " << p.gpu.name << ", " << (p.measured ? "measured" : "published")
        << ", " << p.entries.size() << " entries\n";
    if (!p.device.empty()) out << "  device: " << p.device.dump() << "\n";
    char line[256];
    std::snprintf(line, sizeof line, "  %-10s %-24s %-22s %9s %9s %8s %9s %8s\n", "class", "shape",
                  "name", "measured", "fitted", "error", "held out", "error");
    out << line;
    for (const auto& r : c.rows) {
      std::snprintf(line, sizeof line, "  %-10s %-24s %-22s %9s %9s %8s %9s %8s\n",
                    r.op_class.c_str(), r.shape.c_str(), r.name.c_str(), pct(r.measured).c_str(),
                    pct(r.fitted).c_str(), err(r.fitted, r.measured).c_str(),
                    r.held_out ? pct(*r.held_out).c_str() : "-",
                    r.held_out ? err(*r.held_out, r.measured).c_str() : "-");
      out << line;
    }
    out << "  fit: largest in-sample error " << pct(c.max_fit_error)
        << "; leave-one-shape-family-out RMS error " << pct(c.rms_held_out_error) << " over "
        << c.held_out_rows << " entries\n";
    out << "  efficiency = achieved / " << p.gpu.name
        << " datasheet peak of the dtype (HBM bandwidth for memory); GEMMs: least squares in\n"
           "  log space over log2 m, n, k plus inverse-distance residuals (sim/hw/efficiency_fit.h)\n";
  }
  return kExitOk;
}

}  // namespace moesim::cli
