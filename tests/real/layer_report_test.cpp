#include "real/layer_report.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace moesim::real {
namespace {

TimingStats stats(double median) {
  return summarize_timings({median * 0.9, median, median * 1.2});
}

LayerRun synthetic_run() {
  LayerRun run;
  run.dims = layer_dims(LayerKindOption::kMoe, 0.5, 1024);
  run.timing = TimingOptions{2, 3};
  run.method = "CUDA events";
  run.device.name = "NVIDIA H100 80GB HBM3";
  run.device.date = "2025-01-01T00:00:00Z";
  run.fwd = stats(1e-3);
  run.bwd_input = stats(2e-3);
  run.bwd_weight = stats(1.5e-3);
  const std::vector<LayerOp> plan = plan_layer(run.dims);
  for (const LayerOp& op : plan)
    if (op.kernel != LayerKernel::kNone) run.ops.push_back(LayerOpTiming{op, stats(1e-5), 0});
  run.skipped = skipped_ops(plan);
  run.routing = LayerRouting{8192 + 128 * 64, 10, 120};
  return run;
}

TEST(LayerReport, HasTheDocumentedKeys) {
  const nlohmann::json j = layer_report_json(synthetic_run());
  EXPECT_EQ(j.at("format"), "moesim-layer-1");
  EXPECT_EQ(j.at("kind"), "moe");
  EXPECT_EQ(j.at("scale"), 0.5);
  EXPECT_EQ(j.at("tokens"), 1024);
  // The simulator's per-stage report keys (moesim run --format json).
  EXPECT_DOUBLE_EQ(j.at("fwd_s").get<double>(), 1e-3);
  EXPECT_DOUBLE_EQ(j.at("bwd_input_s").get<double>(), 2e-3);
  EXPECT_DOUBLE_EQ(j.at("bwd_weight_s").get<double>(), 1.5e-3);
  for (const char* p : {"fwd", "bwd_input", "bwd_weight"})
    for (const char* k : {"median_s", "min_s", "max_s", "p10_s", "p90_s", "mean_s", "repeats"})
      EXPECT_TRUE(j.at("passes").at(p).contains(k)) << p << " " << k;
  EXPECT_EQ(j.at("dims").at("hidden"), 3584);
  EXPECT_EQ(j.at("dims").at("experts"), 128);
  EXPECT_EQ(j.at("routing").at("rows_run"), 8192 + 128 * 64);
  for (const char* k : {"name", "sm_count", "driver", "cuda", "clocks", "date"})
    EXPECT_TRUE(j.at("device").contains(k)) << k;
  EXPECT_EQ(j.at("timing").at("warmup"), 2);
  const auto& op = j.at("ops").at(0);
  EXPECT_EQ(op.at("name"), "attn.norm");
  EXPECT_EQ(op.at("pass"), "F");
  EXPECT_EQ(op.at("kernel"), "rmsnorm");
  EXPECT_TRUE(op.contains("median_s"));
  bool qkv_dgrad_skipped = false;
  for (const auto& s : j.at("skipped")) {
    EXPECT_FALSE(s.at("reason").get<std::string>().empty());
    if (s.at("name") == "mla.qkv_a_proj" && s.at("pass") == "B") qkv_dgrad_skipped = true;
  }
  EXPECT_TRUE(qkv_dgrad_skipped);
  for (const auto& o : j.at("ops"))
    if (o.at("kernel") == "grouped_fp8_gemm") {
      EXPECT_EQ(o.at("groups"), 128);
    }
}

TEST(LayerReport, DenseHasNoRoutingOrExperts) {
  LayerRun run = synthetic_run();
  run.dims = layer_dims(LayerKindOption::kDense, 1.0, 4096);
  run.routing.reset();
  const nlohmann::json j = layer_report_json(run);
  EXPECT_EQ(j.at("kind"), "dense");
  EXPECT_FALSE(j.contains("routing"));
  EXPECT_FALSE(j.at("dims").contains("experts"));
  EXPECT_EQ(j.at("dims").at("intermediate"), 18432);
}

TEST(LayerReport, WritesWholeFileOrStdout) {
  const LayerRun run = synthetic_run();
  std::ostringstream out;
  write_layer_report("", run, out);
  EXPECT_EQ(nlohmann::json::parse(out.str()).at("format"), "moesim-layer-1");
  const std::string path = ::testing::TempDir() + "layer_report_test.json";
  std::ostringstream none;
  write_layer_report(path, run, none);
  EXPECT_TRUE(none.str().empty());
  std::ifstream f(path);
  EXPECT_EQ(nlohmann::json::parse(f).at("fwd_s"), 1e-3);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace moesim::real
