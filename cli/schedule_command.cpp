#include <algorithm>
#include <cmath>
#include <sstream>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/report_format.h"
#include "sim/core/diagnostics.h"
#include "sim/cost/estimate.h"
#include "sim/report/format_units.h"
#include "sim/scenario/scenario_json.h"
#include "sim/sched/generators.h"
#include "sim/sched/published_bubble.h"
#include "sim/sched/render.h"

namespace moesim::cli {

namespace {

const char* const kScheduleUsage =
    "usage: moesim schedule --schedule NAME --pp N --micro-batches M [--virtual-stages V]\n"
    "                       [--f F] [--b B] [--w W] [--fb FB] [--width COLS] [--format text|json]\n"
    "       moesim schedule SCENARIO [--width COLS] [--format text|json]\n"
    "\n"
    "Generates a pipeline schedule (1f1b, interleaved_1f1b, zb1p, dualpipe, dualpipev),\n"
    "runs it with the given chunk costs, and draws it like the DualPipe README's picture:\n"
    "one row per rank, F forward, B input-gradient backward, W weight-gradient backward,\n"
    "an overlapped forward+backward pair as F3b1, '.' idle. Prints each rank's bubble and\n"
    "peak activations next to the DualPipe table's formula.\n"
    "\n"
    "  --f --b --w   cost of a forward, backward-for-input and backward-for-weights chunk\n"
    "                (any unit; default 1 each)\n"
    "  --fb          cost of an overlapped forward + full backward pair (default F+B+W)\n"
    "  --width COLS  at most COLS cells per row (default 100)\n"
    "With a SCENARIO, the plan and first phase's micro-batch count come from it and the\n"
    "costs are the analytic model's slowest stage, in seconds.\n";

double number_option(const ParsedArgs& a, const char* name, double dflt) {
  auto v = a.get(name);
  if (!v) return dflt;
  try {
    size_t used = 0;
    const double x = std::stod(*v, &used);
    if (used == v->size() && std::isfinite(x) && x >= 0) return x;
  } catch (const std::exception&) {
  }
  Diagnostics d;
  d.add("<command line>", name, "expected a number >= 0, found \"" + *v + "\"");
  throw InputError(d);
}

int int_option(const ParsedArgs& a, const char* name, int dflt, int lo, int hi) {
  const double x = number_option(a, name, dflt);
  if (x != std::floor(x) || x < lo || x > hi) {
    Diagnostics d;
    d.add("<command line>", name,
          "expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    throw InputError(d);
  }
  return static_cast<int>(x);
}

ScheduleKind schedule_named(const std::string& s) {
  const auto names = schedule_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == s) return static_cast<ScheduleKind>(i);
  Diagnostics d;
  const std::string hint = closest_match(s, names);
  d.add(
      "<command line>", "--schedule",
      "unknown schedule \"" + s + "\"" + (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
  throw InputError(d);
}

}  // namespace

int schedule_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const ParsedArgs a = parse_args(args,
                                  {"--schedule", "--pp", "--micro-batches", "--virtual-stages",
                                   "--f", "--b", "--w", "--fb", "--width", "--format"},
                                  {"--help"});
  if (a.flags.count("--help")) {
    out << kScheduleUsage;
    return kExitOk;
  }
  const ReportFormat format = parse_report_format(a.get("--format").value_or("text"));
  const int width = int_option(a, "--width", 100, 10, 100000);
  ScheduleKind kind;
  int pp = 0, n = 0, v = 1;
  ChunkCosts c;
  std::string unit = "units";
  std::string note;
  if (a.positional.size() == 1) {
    const Scenario s = load_scenario(a.positional[0]);
    const Estimate e = estimate(s);
    kind = s.plan.schedule;
    pp = s.plan.pp;
    v = s.plan.virtual_stages;
    n = e.phases.front().micro_batches;
    const StageReport* worst = &e.stages.front();
    for (const auto& st : e.stages)
      if (st.fwd + st.bwd_input + st.bwd_weight > worst->fwd + worst->bwd_input + worst->bwd_weight)
        worst = &st;
    c.forward = worst->fwd;
    c.backward_input = worst->bwd_input;
    c.backward_weight = worst->bwd_weight;
    c.forward_backward = max(worst->fwd + worst->bwd_input + worst->bwd_weight, worst->comm);
    unit = "s";
    note = "every stage is priced as the slowest one (stage " + std::to_string(worst->stage) +
           "); the analytic model, which prices each rank's own stages, gives a " +
           fmt_seconds(seconds(e.step_time)) + " step\n";
  } else if (a.positional.empty()) {
    if (!a.get("--schedule") || !a.get("--pp") || !a.get("--micro-batches")) {
      err << "error: give a SCENARIO, or --schedule, --pp and --micro-batches\n\n"
          << kScheduleUsage;
      return kExitBadInput;
    }
    kind = schedule_named(*a.get("--schedule"));
    pp = int_option(a, "--pp", 0, 1, 4096);
    n = int_option(a, "--micro-batches", 0, 1, 100000);
    v = int_option(a, "--virtual-stages", 1, 1, 64);
    c.forward = SecondsOf(number_option(a, "--f", 1));
    c.backward_input = SecondsOf(number_option(a, "--b", 1));
    c.backward_weight = SecondsOf(number_option(a, "--w", 1));
    if (a.get("--fb")) c.forward_backward = SecondsOf(number_option(a, "--fb", 0));
  } else {
    err << "error: moesim schedule takes at most one scenario\n\n" << kScheduleUsage;
    return kExitBadInput;
  }

  const Schedule sched = make_schedule(kind, pp, n, v);
  const ScheduleRun run = simulate(sched, c);
  if (!run.ok()) throw std::logic_error(run.deadlock->message);
  const int table_n = kind == ScheduleKind::kInterleaved1F1B ? pp : sched.stages;
  const Seconds table = published_bubble(kind, table_n, c);

  if (format == ReportFormat::kJson) {
    nlohmann::json ranks = nlohmann::json::array();
    for (size_t r = 0; r < run.per_rank.size(); ++r) {
      const auto& rr = run.per_rank[r];
      ranks.push_back({{"rank", r},
                       {"busy", seconds(rr.busy)},
                       {"bubble", seconds(rr.bubble)},
                       {"peak_activations", rr.peak_activations},
                       {"parameter_copies", rr.parameter_copies}});
    }
    out << nlohmann::json{{"schedule", to_string(kind)},
                          {"ranks", sched.ranks},
                          {"stages", sched.stages},
                          {"micro_batches", n},
                          {"makespan", seconds(run.makespan)},
                          {"max_bubble", seconds(run.max_bubble())},
                          {"table_bubble", seconds(table)},
                          {"unit", unit},
                          {"per_rank", ranks}}
               .dump(2)
        << "\n";
    return kExitOk;
  }
  auto num = [&](Seconds x) {
    return unit == "s" ? fmt_seconds(seconds(x)) : fmt_fixed(seconds(x), 2);
  };
  out << to_string(kind) << ": " << sched.ranks << " ranks, " << sched.stages << " stages, " << n
      << " micro-batches; F " << num(c.forward) << ", B " << num(c.backward_input) << ", W "
      << num(c.backward_weight) << ", F&B " << num(c.duration(InstructionKind::kForwardBackward))
      << "\n\n";
  out << render_schedule(run, width) << "\n";
  out << "step " << num(run.makespan) << "; largest bubble " << num(run.max_bubble())
      << "; the DualPipe table's formula gives " << num(table) << "\n";
  out << note << "\n";
  out << "  rank  busy        bubble      peak activations  parameter copies\n";
  for (size_t r = 0; r < run.per_rank.size(); ++r) {
    const auto& rr = run.per_rank[r];
    char line[160];
    std::snprintf(line, sizeof line, "  %-5zu %-11s %-11s %-17d %d\n", r, num(rr.busy).c_str(),
                  num(rr.bubble).c_str(), rr.peak_activations, rr.parameter_copies);
    out << line;
  }
  return kExitOk;
}

}  // namespace moesim::cli
