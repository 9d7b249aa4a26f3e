// moesim compare-trace: the simulated steady-state chunk pair beside a
// measured one (sim/trace/trace_compare.h).
#include <cstdio>

#include "cli/args.h"
#include "cli/calibrate_trace.h"
#include "cli/cli.h"
#include "sim/scenario/scenario_json.h"
#include "sim/step/des_step.h"
#include "sim/trace/trace_compare.h"

namespace moesim::cli {

namespace {

const char* const kUsage =
    "usage: moesim compare-trace SCENARIO TRACE [--map MAP] [--trace-out FILE]\n"
    "                            [--format text|json]\n"
    "\n"
    "Simulates SCENARIO's step (des fidelity), takes a steady-state DualPipe F&B chunk pair\n"
    "of MoE layers (on the rank whose stages come closest to the trace's layers per chunk),\n"
    "and sets it beside the measured pair in TRACE (a PyTorch profiler trace, .json or\n"
    ".json.gz, annotated per stage as attn(F), dispatch(F), mlp(B), ...): per stage and per\n"
    "op class, per layer, with the relative error, and the pair's span per layer pair.\n"
    "--trace-out writes both timelines as one Chrome trace (open in Perfetto).\n"
    "--map adds kernel-map rules (see moesim calibrate --help).\n";

std::string us(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f us", v);
  return b;
}

std::string pct(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%+.1f%%", 100 * v);
  return b;
}

}  // namespace

int compare_trace_command(const std::vector<std::string>& args, std::ostream& out,
                          std::ostream& err) {
  const ParsedArgs a = parse_args(args, {"--map", "--trace-out", "--format"}, {"--help"});
  if (a.flags.count("--help")) {
    out << kUsage;
    return kExitOk;
  }
  const std::string format = a.get("--format").value_or("text");
  if (a.positional.size() != 2 || (format != "text" && format != "json")) {
    err << "error: moesim compare-trace needs SCENARIO and TRACE"
        << (format != "text" && format != "json" ? " and --format text or json" : "") << "\n\n"
        << kUsage;
    return kExitBadInput;
  }
  const KernelMap map = kernel_map_for(a.get("--map"));
  const Scenario s = load_scenario(a.positional[0]);
  const KernelTrace trace = load_kineto_trace(a.positional[1]);
  const TraceComparisonRun run = compare_trace(s, trace, map);
  const TraceSummary& t = run.summary;
  const PairComparison& c = run.pair;
  if (const auto path = a.get("--trace-out"))
    write_file_atomically(*path, comparison_trace_json(run.timeline).dump() + "\n");
  if (format == "json") {
    nlohmann::json j = {{"scenario", s.name},
                        {"trace", t.file},
                        {"rank", c.rank},
                        {"instruction", c.instruction},
                        {"simulated_layers", {c.forward_layers, c.backward_layers}},
                        {"trace_layers", c.trace_layers},
                        {"span_us_per_layer_pair", {{"measured", c.measured_span_us}, {"simulated", c.simulated_span_us}}},
                        {"stages", nlohmann::json::array()},
                        {"classes", nlohmann::json::array()}};
    for (const StageComparison& x : c.stages)
      j["stages"].push_back({{"stage", x.stage}, {"measured_us", x.measured_us}, {"simulated_us", x.simulated_us}});
    for (const ClassComparison& x : c.classes)
      j["classes"].push_back({{"class", x.cls}, {"measured_us", x.measured_us}, {"simulated_us", x.simulated_us}});
    out << j.dump(1) << "\n";
    return kExitOk;
  }
  print_trace_overview(t, out);
  out << "\nSimulated: " << s.name << ", rank " << c.rank << ", " << c.instruction << " ("
      << c.forward_layers << " + " << c.backward_layers << " MoE layers); measured: "
      << c.trace_layers << " + " << c.trace_layers << " layers\n";
  char line[200];
  std::snprintf(line, sizeof line, "  %-14s %13s %13s %9s\n", "per layer", "measured", "simulated", "error");
  out << line;
  for (const StageComparison& x : c.stages) {
    std::snprintf(line, sizeof line, "  %-14s %13s %13s %9s\n", x.stage.c_str(),
                  x.measured_present ? us(x.measured_us).c_str() : "-",
                  x.simulated_present ? us(x.simulated_us).c_str() : "-",
                  x.measured_present && x.simulated_present ? pct(x.error()).c_str() : "-");
    out << line;
  }
  std::snprintf(line, sizeof line, "  %-14s %13s %13s %9s\n", "span (pair)", us(c.measured_span_us).c_str(),
                us(c.simulated_span_us).c_str(), pct(c.span_error()).c_str());
  out << line << "\n";
  std::snprintf(line, sizeof line, "  %-20s %13s %13s %9s\n", "per layer pair", "measured", "modeled", "error");
  out << line;
  for (const ClassComparison& x : c.classes) {
    std::snprintf(line, sizeof line, "  %-20s %13s %13s %9s\n", x.cls.c_str(), us(x.measured_us).c_str(),
                  us(x.simulated_us).c_str(),
                  x.measured_us > 0 ? pct(x.simulated_us / x.measured_us - 1).c_str() : "-");
    out << line;
  }
  out << "  (stages: busy time of the stage's kernels against its segments on the engine; classes:\n"
         "  kernel busy time against the op graph's priced time at the SMs communication leaves,\n"
         "  communication classes from the simulated pair)\n";
  return kExitOk;
}

}  // namespace moesim::cli
