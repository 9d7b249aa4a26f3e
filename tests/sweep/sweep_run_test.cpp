// Running, interrupting, resuming, sharding and merging sweeps, end to end
// through the CLI where a user would.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "sim/sweep/sweep_output.h"
#include "sim/sweep/sweep_points.h"
#include "sim/sweep/sweep_runner.h"
#include "tests/cli/cli_run.h"
#include "tests/sweep/sweep_fixture.h"

namespace moesim {
namespace {

using testing::run_cli;
using testing::slurp;

std::string small_spec(const std::string& dir) {
  return testing::write_spec(dir, "spec.json", testing::kSmallSweep);
}

TEST(SweepRun, WritesRowsForEveryPointWithStatuses) {
  const std::string dir = testing::fresh_dir("run");
  auto r = run_cli({"sweep", small_spec(dir), "--out", dir + "/out", "-j", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(testing::contains(r.out, "Pareto front"));
  auto rows = read_journal(dir + "/out");
  ASSERT_EQ(rows.size(), 24u);
  int invalid = 0, ok = 0;
  for (const auto& row : rows) {
    const std::string st = row.fields["status"];
    invalid += st == "invalid";
    ok += st == "ok";
    if (st == "invalid") {
      EXPECT_EQ(row.fields["plan.ep"], 48);
      EXPECT_TRUE(testing::contains(row.fields["reason"], "48")) << row.fields.dump();
    }
    EXPECT_EQ(row.fields["fidelity"], "analytic");
    EXPECT_EQ(row.fields["moesim_version"], "0.1.0");
  }
  EXPECT_EQ(invalid, 8);
  EXPECT_GT(ok, 0);
  const std::string csv = slurp(dir + "/out/results.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 25);  // header + 24 rows
}

TEST(SweepRun, ThreadCountDoesNotChangeResults) {
  const std::string dir = testing::fresh_dir("threads");
  const std::string spec = small_spec(dir);
  ASSERT_EQ(run_cli({"sweep", spec, "--out", dir + "/a", "-j", "1"}).code, 0);
  ASSERT_EQ(run_cli({"sweep", spec, "--out", dir + "/b", "-j", "2"}).code, 0);
  EXPECT_EQ(slurp(dir + "/a/results.csv"), slurp(dir + "/b/results.csv"));
  EXPECT_EQ(slurp(dir + "/a/summary.md"), slurp(dir + "/b/summary.md"));
  // -j1 as every other tool spells it, the same as -j 1; -jx is still an error.
  ASSERT_EQ(run_cli({"sweep", spec, "--out", dir + "/c", "-j1"}).code, 0);
  EXPECT_EQ(slurp(dir + "/a/results.csv"), slurp(dir + "/c/results.csv"));
  const auto bad = run_cli({"sweep", spec, "--out", dir + "/d", "-jx"});
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("thread count"), std::string::npos) << bad.err;
}

TEST(SweepRun, InterruptedSweepResumesToTheSameResult) {
  const std::string dir = testing::fresh_dir("resume");
  const std::string spec_path = small_spec(dir);
  ASSERT_EQ(run_cli({"sweep", spec_path, "--out", dir + "/full", "-j", "1"}).code, 0);

  // Interrupt after 9 rows (as Ctrl-C does: the stop flag), then cut the
  // journal's last line in half (as a kill -9 mid-write would).
  const SweepSpec spec = load_sweep_spec(spec_path);
  SweepManifest m = read_manifest(dir + "/full");
  {
    const ShardPoints points(spec, 1, 1);
    SweepOutput out(dir + "/part", m, [&](uint64_t i) { return points.position_of(i); });
    std::atomic<bool> stop{false};
    SweepRunOptions opt;
    opt.stop = &stop;
    const auto pending = sweep_indices(spec);
    auto r = run_sweep_points(spec, pending, opt, [&](const SweepRow& row) {
      out.append(row);
      if (out.done_count() == 9) stop.store(true);
    });
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(r.evaluated, 9u);
  }
  std::ofstream(dir + "/part/results.jsonl", std::ios::app) << R"({"index": 17, "stat)";
  auto again = run_cli({"sweep", spec_path, "--out", dir + "/part", "-j", "2"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(testing::contains(again.err, "resuming: 9 of 24")) << again.err;
  EXPECT_EQ(slurp(dir + "/part/results.csv"), slurp(dir + "/full/results.csv"));
  EXPECT_EQ(read_journal(dir + "/part").size(), 24u);  // no duplicates, no half rows
  // A third run finds nothing left to do and changes nothing.
  ASSERT_EQ(run_cli({"sweep", spec_path, "--out", dir + "/part"}).code, 0);
  EXPECT_EQ(slurp(dir + "/part/results.csv"), slurp(dir + "/full/results.csv"));
}

TEST(SweepRun, FourShardsMergeIntoTheSingleRun) {
  const std::string dir = testing::fresh_dir("shards");
  const std::string spec = small_spec(dir);
  ASSERT_EQ(run_cli({"sweep", spec, "--out", dir + "/single"}).code, 0);
  std::vector<std::string> merge = {"merge", "--out", dir + "/merged"};
  for (int k = 1; k <= 4; ++k) {
    const std::string out = dir + "/shard" + std::to_string(k);
    auto r = run_cli({"sweep", spec, "--shard", std::to_string(k) + "/4", "--out", out});
    ASSERT_EQ(r.code, 0) << r.err;
    merge.push_back(out);
  }
  auto r = run_cli(merge);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(dir + "/merged/results.csv"), slurp(dir + "/single/results.csv"));
  EXPECT_EQ(slurp(dir + "/merged/results.jsonl"), slurp(dir + "/single/results.jsonl"));
  EXPECT_EQ(slurp(dir + "/merged/summary.md"), slurp(dir + "/single/summary.md"));
}

TEST(SweepRun, MergeRefusesMissingDuplicateOrForeignShards) {
  const std::string dir = testing::fresh_dir("merge_errors");
  const std::string spec = small_spec(dir);
  for (int k = 1; k <= 2; ++k)
    ASSERT_EQ(run_cli({"sweep", spec, "--shard", std::to_string(k) + "/3", "--out",
                       dir + "/s" + std::to_string(k)})
                  .code,
              0);
  auto missing = run_cli({"merge", "--out", dir + "/m", dir + "/s1", dir + "/s2"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_TRUE(testing::contains(missing.err, "shard 3/3 is missing")) << missing.err;
  auto twice = run_cli({"merge", "--out", dir + "/m", dir + "/s1", dir + "/s1"});
  EXPECT_EQ(twice.code, 2);
  EXPECT_TRUE(testing::contains(twice.err, "given twice")) << twice.err;
  // A different sweep in the same folder is refused too.
  const std::string other = testing::write_spec(dir, "other.json", R"({"base": "$BASE",
      "parameters": [{ "path": "/plan/ep", "values": [64] }]})");
  auto clash = run_cli({"sweep", other, "--shard", "1/3", "--out", dir + "/s1"});
  EXPECT_EQ(clash.code, 2);
  EXPECT_TRUE(testing::contains(clash.err, "different sweep")) << clash.err;
}

TEST(SweepRun, BadCommandLinesAreUsageErrors) {
  const std::string dir = testing::fresh_dir("cli");
  const std::string spec = small_spec(dir);
  EXPECT_EQ(run_cli({"sweep", spec, "--shard", "5/4"}).code, 2);
  EXPECT_EQ(run_cli({"sweep", spec, "-j", "0"}).code, 2);
  EXPECT_EQ(run_cli({"sweep"}).code, 2);
  EXPECT_EQ(run_cli({"sweep", "--help"}).code, 0);
  EXPECT_EQ(run_cli({"merge", "--help"}).code, 0);
  EXPECT_EQ(run_cli({"merge", dir}).code, 2);
}

}  // namespace
}  // namespace moesim

namespace moesim {
namespace {

TEST(SweepRun, DesFidelityRowsSayDesAndDifferFromAnalytic) {
  const std::string dir = testing::fresh_dir("des");
  const std::string body = R"({"base": "$BASE", "fidelity": "des",
      "parameters": [{ "path": "/plan/schedule", "values": ["1f1b", "dualpipe"] }]})";
  auto r = run_cli({"sweep", testing::write_spec(dir, "des.json", body), "--out", dir + "/o"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_journal(dir + "/o");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields["fidelity"], "des");
  EXPECT_GT(rows[0].fields["step_time_s"].get<double>(), rows[1].fields["step_time_s"].get<double>());
  auto bad = run_cli({"sweep", testing::write_spec(dir, "bad.json", R"({"base": "$BASE",
      "fidelity": "exact", "parameters": [{ "path": "/plan/ep", "values": [64] }]})")});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(testing::contains(bad.err, "/fidelity")) << bad.err;
}

}  // namespace
}  // namespace moesim
