#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/report_format.h"
#include "sim/core/diagnostics.h"
#include "sim/cost/estimate.h"
#include "sim/report/chrome_trace.h"
#include "sim/report/format_units.h"
#include "sim/report/report.h"
#include "sim/scenario/scenario_json.h"
#include "sim/step/des_step.h"
#include "sim/step/des_trace.h"

namespace moesim::cli {

namespace {
const char* const kRunUsage =
    "usage: moesim run SCENARIO... [--format text|json|md] [--out FILE] [-j N]\n"
    "                  [--fidelity des|analytic] [--trace FILE]\n"
    "\n"
    "Estimates each scenario: step time and its breakdown, MFU, tokens/s, memory per GPU\n"
    "and whether it fits, GPU-hours and cost per training phase.\n"
    "\n"
    "  --format F    text (default), json (one object; an array for several scenarios)\n"
    "                or md (Markdown)\n"
    "  --out FILE    write the report to FILE (atomically: nothing is written on error)\n"
    "  -j N          estimate N scenarios at a time (default: all cores)\n"
    "  --trace FILE  write the step as a Chrome trace (Perfetto, chrome://tracing): the\n"
    "                executed schedule, or with des each rank's compute and\n"
    "                communication streams; one scenario only\n"
    "  --fidelity F  des (the default: the step executed op by op on the discrete-event\n"
    "                engine, EP calls and pipeline sends simulated on the network; seconds\n"
    "                per scenario, ~6 s for the 2,048-GPU headline) or analytic (closed\n"
    "                form, microseconds: for sweeps). A des report sets the analytic\n"
    "                figures beside its own and says why they differ\n"
    "\n"
    "With several scenarios, text and Markdown reports end with a summary table.\n"
    "\n"
    "Every scenario is loaded and checked before any report is written; bad input\n"
    "exits with status 2 and names the file, JSON path and what was expected.\n";
// Estimates every scenario on `jobs` threads; results in input order. With
// des and several scenarios, a line on `progress` as each one finishes.
// A scenario that fails (its network child dies, say) stops the others from
// starting and is reported by its file once every thread has joined: an
// exception never escapes a worker thread.
std::vector<Estimate> estimate_all(const std::vector<Scenario>& scenarios,
                                   const std::vector<std::string>& paths, int jobs, bool des,
                                   std::ostream& progress) {
  std::vector<Estimate> out(scenarios.size());
  std::vector<std::string> failed(scenarios.size());
  std::atomic<size_t> next{0};
  std::atomic<size_t> finished{0};
  std::mutex lock;
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < scenarios.size();) {
      const auto t0 = std::chrono::steady_clock::now();
      try {
        out[i] = des ? des_estimate(scenarios[i]) : estimate(scenarios[i]);
      } catch (const std::exception& e) {
        failed[i] = e.what();
        next = scenarios.size();
        continue;
      }
      if (des && scenarios.size() > 1) {
        const double took =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::lock_guard<std::mutex> g(lock);
        progress << "moesim run: [" << ++finished << "/" << scenarios.size() << "] "
                 << scenarios[i].name << ": des step " << fmt_seconds(seconds(out[i].step_time))
                 << " (simulated in " << fmt_fixed(took, 1) << " s)\n"
                 << std::flush;
      }
    }
  };
  std::vector<std::thread> pool;
  const size_t n = std::min<size_t>(static_cast<size_t>(std::max(1, jobs)), scenarios.size());
  for (size_t t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (size_t i = 0; i < scenarios.size(); ++i)
    if (!failed[i].empty())
      throw std::runtime_error(paths[i] + " (\"" + scenarios[i].name + "\"): " + failed[i]);
  return out;
}

std::string render_summary_table(const std::vector<Scenario>& ss, const std::vector<Estimate>& es,
                                 bool md) {
  std::ostringstream o;
  o << (md ? "## Summary\n\n| scenario | GPUs | step | MFU | memory/GPU | fits | GPU-hours | cost |\n"
             "|---|---|---|---|---|---|---|---|\n"
           : "Summary\n");
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < ss.size(); ++i) {
    const Estimate& e = es[i];
    rows.push_back({ss[i].name, std::to_string(e.num_gpus), fmt_seconds(seconds(e.step_time)),
                    fmt_percent(e.mfu), fmt_gib(bytes(e.memory_per_gpu)), e.fits ? "yes" : "NO",
                    fmt_si(e.gpu_hours), fmt_usd(e.cost_usd)});
  }
  if (md) {
    for (const auto& r : rows) {
      o << "|";
      for (const auto& c : r) o << " " << c << " |";
      o << "\n";
    }
    return o.str();
  }
  std::vector<size_t> w(8, 0);
  const std::vector<std::string> head = {"scenario", "GPUs", "step", "MFU", "memory/GPU", "fits",
                                         "GPU-hours", "cost"};
  rows.insert(rows.begin(), head);
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) w[c] = std::max(w[c], r[c].size());
  for (const auto& r : rows) {
    o << " ";
    for (size_t c = 0; c < r.size(); ++c)
      o << " " << r[c] << (c + 1 < r.size() ? std::string(w[c] - r[c].size() + 1, ' ') : "");
    o << "\n";
  }
  return o.str();
}

}  // namespace

int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const ParsedArgs a = parse_args(args, {"--format", "--out", "--fidelity", "-j", "--trace"}, {"--help"});
  if (a.flags.count("--help")) {
    out << kRunUsage;
    return kExitOk;
  }
  if (a.positional.empty()) {
    err << "error: moesim run needs at least one scenario file\n\n" << kRunUsage;
    return kExitBadInput;
  }
  const ReportFormat format = parse_report_format(a.get("--format").value_or("text"));
  const std::string fidelity = a.get("--fidelity").value_or("des");
  if (fidelity != "analytic" && fidelity != "des") {
    Diagnostics d;
    d.add("<command line>", "--fidelity", "expected analytic or des, found \"" + fidelity + "\"");
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

  const auto trace = a.get("--trace");
  if (trace && scenarios.size() != 1) {
    Diagnostics d;
    d.add("<command line>", "--trace", "a trace is written for exactly one scenario, " +
                                           std::to_string(scenarios.size()) + " were given");
    d.throw_if_any();
  }
  // des with a trace: one simulation for both the report and the trace.
  std::optional<DesStep> step;
  std::vector<Estimate> estimates;
  if (trace && fidelity == "des") {
    try {
      Estimate analytic = estimate(scenarios[0]);
      step = simulate_step(scenarios[0], analytic);
      estimates.push_back(des_estimate(scenarios[0], std::move(analytic), *step));
    } catch (const std::exception& e) {
      throw std::runtime_error(a.positional[0] + " (\"" + scenarios[0].name + "\"): " + e.what());
    }
  } else {
    estimates = estimate_all(scenarios, a.positional, parse_jobs(a), fidelity == "des", err);
  }
  std::ostringstream text;
  if (format == ReportFormat::kJson && scenarios.size() > 1) {
    nlohmann::json arr = nlohmann::json::array();
    for (size_t i = 0; i < scenarios.size(); ++i)
      arr.push_back(estimate_json(scenarios[i], estimates[i]));
    text << arr.dump(2) << "\n";
  } else {
    for (size_t i = 0; i < scenarios.size(); ++i) {
      if (i > 0) text << (format == ReportFormat::kMarkdown ? "\n---\n\n" : "\n");
      text << render_estimate(scenarios[i], estimates[i], format);
    }
    if (scenarios.size() > 1)
      text << (format == ReportFormat::kMarkdown ? "\n---\n\n" : "\n")
           << render_summary_table(scenarios, estimates, format == ReportFormat::kMarkdown);
  }
  if (trace) {
    // des: the engine's compute and communication streams; analytic: the
    // executed schedule of the analytic costs.
    const std::string json =
        step ? des_chrome_trace_json(*step, scenarios[0].name)
             : chrome_trace_json(step_timeline(scenarios[0], estimates[0]), scenarios[0].name);
    write_file_atomically(*trace, json);
  }
  if (auto path = a.get("--out")) {
    write_file_atomically(*path, text.str());
  } else {
    out << text.str();
  }
  return kExitOk;
}

}  // namespace moesim::cli
