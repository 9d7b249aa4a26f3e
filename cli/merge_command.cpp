#include <filesystem>
#include <map>

#include "cli/args.h"
#include "cli/cli.h"
#include "sim/core/diagnostics.h"
#include "sim/sweep/sweep_output.h"
#include "sim/sweep/sweep_summary.h"

namespace moesim::cli {

namespace {
const char* const kMergeUsage =
    "usage: moesim merge --out DIR SHARD_DIR...\n"
    "\n"
    "Joins the output folders of `moesim sweep --shard K/N` runs into one: checks that\n"
    "they come from the same sweep, that every shard 1..N is there and complete, and\n"
    "that no point is missing or duplicated, then writes DIR/results.{jsonl,csv} and\n"
    "DIR/summary.md as a single run would have.\n";
}  // namespace

int merge_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const ParsedArgs a = parse_args(args, {"--out"}, {"--help"});
  if (a.flags.count("--help")) {
    out << kMergeUsage;
    return kExitOk;
  }
  if (a.positional.empty() || !a.get("--out")) {
    err << "error: moesim merge needs --out DIR and at least one shard folder\n\n" << kMergeUsage;
    return kExitBadInput;
  }
  Diagnostics d;
  std::vector<SweepManifest> ms;
  for (const auto& dir : a.positional) ms.push_back(read_manifest(dir));
  const SweepManifest& first = ms.front();
  std::map<int, std::string> shards;
  for (size_t i = 0; i < ms.size(); ++i) {
    const auto& m = ms[i];
    const std::string& dir = a.positional[i];
    if (m.fingerprint != first.fingerprint || m.shard_n != first.shard_n)
      d.add(dir, "", "belongs to a different sweep (fingerprint " + m.fingerprint + ", " +
                         std::to_string(m.shard_n) + " shards) than " + a.positional[0]);
    else if (!shards.emplace(m.shard_k, dir).second)
      d.add(dir, "", "shard " + std::to_string(m.shard_k) + "/" + std::to_string(m.shard_n) +
                         " given twice (also " + shards[m.shard_k] + ")");
  }
  d.throw_if_any();
  for (int k = 1; k <= first.shard_n; ++k)
    if (!shards.count(k))
      d.add("<command line>", "", "shard " + std::to_string(k) + "/" +
                                      std::to_string(first.shard_n) + " is missing");
  // Complete shards only (counted without parsing), then every row streamed
  // once: summary tracked, results sorted on disk, duplicates refused.
  std::vector<std::string> journals;
  for (size_t i = 0; i < ms.size(); ++i) {
    const std::string& dir = a.positional[i];
    journals.push_back((std::filesystem::path(dir) / "results.jsonl").string());
    const uint64_t rows = count_journal_rows(journals.back());
    if (rows != ms[i].shard_points)
      d.add(dir, "", "incomplete: " + std::to_string(rows) + " of " +
                         std::to_string(ms[i].shard_points) +
                         " points; rerun its sweep command to finish it");
  }
  d.throw_if_any();
  SweepManifest merged = first;
  merged.shard_k = merged.shard_n = 1;
  merged.shard_points = merged.total_points;
  const std::string outdir = *a.get("--out");
  std::filesystem::create_directories(outdir);
  SweepTracker tracker(merged.objective, merged.top);
  const SortedResults sorted =
      write_sorted_results(outdir, merged.columns, journals, true,
                           [&](const SweepRow& r, const std::string& line) { tracker.add(r, line); });
  if (sorted.duplicates > 0) {
    std::string which;
    for (uint64_t x : sorted.duplicate_indices) which += (which.empty() ? "" : ", ") + std::to_string(x);
    d.add("<command line>", "", std::to_string(sorted.duplicates) +
                                    " point(s) appear in more than one shard (" + which +
                                    "); the shards do not partition one sweep");
  } else if (sorted.rows != first.total_points) {
    d.add("<command line>", "", "merged " + std::to_string(sorted.rows) +
                                    " points, the sweep has " + std::to_string(first.total_points));
  }
  d.throw_if_any();
  out << write_sweep_summary(outdir, merged, tracker);
  out << "\nmerged " << sorted.rows << " points from " << ms.size() << " shards into " << outdir
      << "\n";
  return kExitOk;
}

}  // namespace moesim::cli
