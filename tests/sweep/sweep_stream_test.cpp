// Sweeps of any size in flat memory (issue 19 part 3): the points of a shard
// are computed, not listed; the summary is tracked row by row; the final
// files are an external sort of the journal.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "sim/core/rng.h"
#include "sim/sweep/sweep_output.h"
#include "sim/core/diagnostics.h"
#include "sim/sweep/sweep_points.h"
#include "sim/sweep/sweep_spec.h"
#include "sim/sweep/sweep_summary.h"
#include "tests/sweep/sweep_fixture.h"

namespace moesim {
namespace {

SweepSpec grid(std::vector<size_t> sizes) {
  SweepSpec s;
  for (size_t n : sizes) {
    SweepParameter p;
    p.path = "/plan/pp";
    for (size_t i = 0; i < n; ++i) p.values.push_back(static_cast<int>(i + 1));
    s.parameters.push_back(p);
  }
  return s;
}

TEST(SweepStream, ShardPointsAreTheListedShardWithoutTheList) {
  for (bool sampled : {false, true}) {
    SweepSpec s = grid({7, 11, 13});
    if (sampled) s.sample_count = 300;
    const std::vector<uint64_t> all = sweep_indices(s);
    for (int n : {1, 3, 4})
      for (int k = 1; k <= n; ++k) {
        const std::vector<uint64_t> listed = shard_of(all, k, n);
        const ShardPoints p(s, k, n);
        ASSERT_EQ(p.total(), all.size());
        ASSERT_EQ(p.size(), listed.size()) << k << "/" << n;
        for (uint64_t j = 0; j < listed.size(); ++j) {
          EXPECT_EQ(p.index_at(j), listed[j]);
          EXPECT_EQ(p.position_of(listed[j]), static_cast<int64_t>(j));
        }
        for (uint64_t i : all) {
          if (std::find(listed.begin(), listed.end(), i) == listed.end()) {
            EXPECT_EQ(p.position_of(i), -1);
          }
        }
      }
  }
}

TEST(SweepStream, ABillionPointGridCostsNothingToEnumerate) {
  const SweepSpec s = grid({1000, 1000, 1000});
  const ShardPoints p(s, 3, 4);
  EXPECT_EQ(p.total(), 1000000000u);
  EXPECT_EQ(p.size(), 250000000u);
  EXPECT_EQ(p.index_at(249999999), 999999998u);
  EXPECT_EQ(p.position_of(999999998), 249999999);
  EXPECT_EQ(p.position_of(999999999), -1);
}

TEST(SweepStream, SamplesAreBoundedAtTheirKey) {
  const std::string dir = testing::fresh_dir("stream-sample");
  const std::string spec = dir + "/spec.json";
  std::ofstream(spec) << R"({"base": ")" << MOESIM_SOURCE_DIR
                      << R"(/scenarios/deepseek-v3-pretrain-2048xH800.json",
    "parameters": [{"path": "/cluster/ib_GB_per_s", "range": {"from": 1, "to": 100000, "step": 1}},
                   {"path": "/training/price_per_gpu_hour_usd", "range": {"from": 1, "to": 10000, "step": 1}}],
    "sample": {"count": 20000000}})";
  try {
    load_sweep_spec(spec);
    FAIL() << "a 2e7-point sample was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(e.diagnostics().to_string().find("/sample/count"), std::string::npos);
    EXPECT_NE(e.diagnostics().to_string().find("at most 10,000,000"), std::string::npos);
  }
}

SweepRow random_row(Rng& rng, uint64_t index) {
  SweepRow r;
  r.index = index;
  const uint64_t kind = rng.below(10);
  r.fields["index"] = index;
  r.fields["status"] = kind < 6 ? "ok" : kind < 8 ? "rejected" : "invalid";
  // Few distinct values: ties on every key the summary orders by.
  r.fields["step_time_s"] = static_cast<double>(rng.below(20));
  r.fields["wall_time_s"] = static_cast<double>(rng.below(30));
  r.fields["cost_usd"] = static_cast<double>(rng.below(30));
  return r;
}

TEST(SweepStream, TheTrackerSummarisesAsTheWholeListDoes) {
  Rng rng(42);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<SweepRow> rows;
    for (uint64_t i = 0; i < 400; ++i) rows.push_back(random_row(rng, i));
    // Any arrival order (threads finish out of order).
    for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng.below(i)]);
    SweepTracker t("step_time_s", 7);
    for (const SweepRow& r : rows) t.add(r, r.fields.dump());
    const SweepSummary a = t.summary(), b = summarize_sweep(rows, "step_time_s", 7);
    EXPECT_EQ(render_sweep_summary(a, {}), render_sweep_summary(b, {})) << trial;
    EXPECT_EQ(a.ok, b.ok);
    EXPECT_EQ(a.rejected, b.rejected);
    EXPECT_EQ(a.invalid, b.invalid);
  }
}

TEST(SweepStream, TheFinalSortMergesRunsAndRefusesDuplicates) {
  const std::string dir = testing::fresh_dir("stream-sort");
  // Two journals out of order, one index in both.
  std::ofstream(dir + "/a.jsonl") << "{\"index\":5}\n{\"index\":1}\n{\"index\":3}\n";
  std::ofstream(dir + "/b.jsonl") << "{\"index\":4}\n{\"index\":3}\n{\"index\":0}\n{\"index\":2";
  uint64_t seen = 0;
  const SortedResults r = write_sorted_results(
      dir, {"index"}, {dir + "/a.jsonl", dir + "/b.jsonl"}, true,
      [&](const SweepRow&, const std::string&) { ++seen; });
  EXPECT_EQ(seen, 6u);  // the cut-short last line is not a row
  EXPECT_EQ(r.rows, 5u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(r.duplicate_indices, std::vector<uint64_t>{3});
  EXPECT_FALSE(std::ifstream(dir + "/results.jsonl").good());  // refused: nothing written
  const SortedResults w = write_sorted_results(dir, {"index"}, {dir + "/a.jsonl"}, true, nullptr);
  EXPECT_EQ(w.rows, 3u);
  std::ifstream in(dir + "/results.csv");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "index\n1\n3\n5\n");
}

}  // namespace
}  // namespace moesim
