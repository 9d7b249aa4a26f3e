#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include "cli/args.h"
#include "cli/cli.h"
#include "sim/core/diagnostics.h"
#include "sim/report/format_units.h"
#include "sim/report/report.h"
#include "sim/sweep/sweep_output.h"
#include "sim/sweep/sweep_points.h"
#include "sim/sweep/sweep_runner.h"
#include "sim/sweep/sweep_summary.h"

namespace moesim::cli {

namespace {

const char* const kSweepUsage =
    "usage: moesim sweep SPEC [-j N] [--out DIR] [--shard K/N] [--quiet]\n"
    "\n"
    "Evaluates every point of a sweep (docs/sweeps.md): a base scenario, the parameters\n"
    "to vary, constraints and an objective. Writes DIR/results.jsonl (one line per point,\n"
    "as it finishes), DIR/results.csv and DIR/summary.md (best points, Pareto front of\n"
    "cost against wall time), and prints the summary.\n"
    "\n"
    "  -j N          worker threads (default: all cores)\n"
    "  --out DIR     output folder (default: sweep-out)\n"
    "  --shard K/N   evaluate only the K-th of N deterministic slices (1 <= K <= N);\n"
    "                join the slices with `moesim merge`\n"
    "  --quiet       no progress line (it is shown only on a terminal anyway)\n"
    "\n"
    "Interrupted (Ctrl-C or kill)? Run the same command again: it evaluates only the\n"
    "points that are missing. The spec is checked completely before any work starts.\n";

std::atomic<bool> g_stop{false};
extern "C" void on_interrupt(int) { g_stop.store(true); }

std::pair<int, int> parse_shard(const ParsedArgs& a) {
  auto v = a.get("--shard");
  if (!v) return {1, 1};
  int k = 0, n = 0;
  char extra = 0;
  if (std::sscanf(v->c_str(), "%d/%d%c", &k, &n, &extra) == 2 && n >= 1 && k >= 1 && k <= n)
    return {k, n};
  Diagnostics d;
  d.add("<command line>", "--shard", "expected K/N with 1 <= K <= N, found \"" + *v + "\"");
  throw InputError(d);
}

}  // namespace

int sweep_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const ParsedArgs a = parse_args(args, {"-j", "--out", "--shard"}, {"--help", "--quiet"});
  if (a.flags.count("--help")) {
    out << kSweepUsage;
    return kExitOk;
  }
  if (a.positional.size() != 1) {
    err << "error: moesim sweep takes exactly one sweep spec\n\n" << kSweepUsage;
    return kExitBadInput;
  }
  const int jobs = parse_jobs(a);
  const auto [k, n] = parse_shard(a);
  const std::string dir = a.get("--out").value_or("sweep-out");
  const SweepSpec spec = load_sweep_spec(a.positional[0]);

  const ShardPoints points(spec, k, n);
  SweepManifest m;
  m.fingerprint = sweep_fingerprint(spec);
  m.total_points = points.total();
  m.shard_points = points.size();
  m.shard_k = k;
  m.shard_n = n;
  m.columns = sweep_columns(spec);
  for (const auto& p : spec.parameters) m.parameter_columns.push_back(parameter_column(p.path));
  m.objective = to_string(spec.objective);
  m.top = spec.top;
  m.moesim_version = kMoesimVersion;
  SweepOutput output(dir, m, [&points](uint64_t index) { return points.position_of(index); });

  const uint64_t already = output.done_count();
  const bool tty = isatty(fileno(stderr)) && !a.flags.count("--quiet");
  if (already > 0)
    err << "resuming: " << already << " of " << points.size() << " points already in " << dir
        << "\n";

  g_stop.store(false);
  auto old_int = std::signal(SIGINT, on_interrupt);
  auto old_term = std::signal(SIGTERM, on_interrupt);
  SweepRunOptions opt;
  opt.jobs = jobs;
  opt.stop = &g_stop;
  if (tty) {
    opt.progress = [&](const SweepProgress& p) {
      const double rate = p.elapsed_s > 0 ? p.done / p.elapsed_s : 0;
      const double eta = rate > 0 ? (p.total - p.done) / rate : 0;
      char line[160];
      std::snprintf(line, sizeof line, "\r%llu/%llu points (%.1f%%)  %.0f/s  ETA %s   ",
                    static_cast<unsigned long long>(p.done),
                    static_cast<unsigned long long>(p.total),
                    p.total ? 100.0 * p.done / p.total : 100.0, rate, fmt_seconds(eta).c_str());
      err << line << std::flush;
    };
  }
  // The shard's positions in order, skipping those the journal holds.
  uint64_t cursor = 0;
  const auto next = [&](uint64_t* index) {
    while (cursor < points.size() && output.done(cursor)) ++cursor;
    if (cursor >= points.size()) return false;
    *index = points.index_at(cursor++);
    return true;
  };
  const SweepRunResult r = run_sweep_points(spec, points.size() - already, next, opt,
                                            [&](const SweepRow& row) { output.append(row); });
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  if (tty) err << "\n";
  if (r.interrupted) {
    err << "interrupted: " << output.done_count() << " of " << points.size()
        << " points are in " << dir << "; run the same command again to finish\n";
    return 130;
  }
  out << output.finish();
  out << "\nresults: " << dir << "/results.csv, " << dir << "/results.jsonl, " << dir
      << "/summary.md\n";
  return kExitOk;
}

}  // namespace moesim::cli
