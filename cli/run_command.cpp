#include <sstream>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/report_format.h"
#include "sim/core/diagnostics.h"
#include "sim/cost/estimate.h"
#include "sim/report/report.h"
#include "sim/scenario/scenario_json.h"

namespace moesim::cli {

namespace {
const char* const kRunUsage =
    "usage: moesim run SCENARIO... [--format text|json|md] [--out FILE] [--fidelity analytic]\n"
    "\n"
    "Estimates each scenario: step time and its breakdown, MFU, tokens/s, memory per GPU\n"
    "and whether it fits, GPU-hours and cost per training phase.\n"
    "\n"
    "  --format F    text (default), json (one object; an array for several scenarios)\n"
    "                or md (Markdown)\n"
    "  --out FILE    write the report to FILE (atomically: nothing is written on error)\n"
    "  --fidelity F  analytic (closed form; the only fidelity in this version)\n"
    "\n"
    "Every scenario is loaded and checked before any report is written; bad input\n"
    "exits with status 2 and names the file, JSON path and what was expected.\n";
}  // namespace

int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const ParsedArgs a = parse_args(args, {"--format", "--out", "--fidelity"}, {"--help"});
  if (a.flags.count("--help")) {
    out << kRunUsage;
    return kExitOk;
  }
  if (a.positional.empty()) {
    err << "error: moesim run needs at least one scenario file\n\n" << kRunUsage;
    return kExitBadInput;
  }
  const ReportFormat format = parse_report_format(a.get("--format").value_or("text"));
  const std::string fidelity = a.get("--fidelity").value_or("analytic");
  if (fidelity != "analytic") {
    Diagnostics d;
    d.add("<command line>", "--fidelity",
          "expected \"analytic\", found \"" + fidelity +
              "\" (the des fidelity arrives with the network simulation)");
    d.throw_if_any();
  }

  // Load and check everything first, so that bad input writes nothing.
  std::vector<Scenario> scenarios;
  Diagnostics all;
  for (const auto& path : a.positional) {
    try {
      scenarios.push_back(load_scenario(path));
    } catch (const InputError& e) {
      all.append(e.diagnostics());
    }
  }
  all.throw_if_any();

  std::ostringstream text;
  if (format == ReportFormat::kJson && scenarios.size() > 1) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& s : scenarios) arr.push_back(estimate_json(s, estimate(s)));
    text << arr.dump(2) << "\n";
  } else {
    for (size_t i = 0; i < scenarios.size(); ++i) {
      if (i > 0) text << (format == ReportFormat::kMarkdown ? "\n---\n\n" : "\n");
      text << render_estimate(scenarios[i], estimate(scenarios[i]), format);
    }
  }
  if (auto path = a.get("--out")) {
    write_file_atomically(*path, text.str());
  } else {
    out << text.str();
  }
  return kExitOk;
}

}  // namespace moesim::cli
