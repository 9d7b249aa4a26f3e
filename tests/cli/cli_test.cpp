// The CLI driven in-process, from the repository root (ctest's working dir).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_run.h"

namespace moesim {
namespace {

using testing::contains;
using testing::run_cli;
const char* const kHeadline = "scenarios/deepseek-v3-pretrain-2048xH800.json";

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("moesim_cli_test_" + name)).string();
}

// The main job: des by default, with the analytic figures beside.
TEST(Cli, RunPrintsTheHeadlineReport) {
  auto r = run_cli({"run", kHeadline});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "des fidelity"));
  EXPECT_TRUE(contains(r.out, "Why des and analytic differ"));
  EXPECT_TRUE(contains(r.out, "step time"));
  EXPECT_TRUE(contains(r.out, "GPU-hours"));
  EXPECT_TRUE(contains(r.out, "cannot be trusted"));
}

TEST(Cli, JsonReportHasTheDocumentedFields) {
  auto r = run_cli({"run", kHeadline, "--fidelity", "analytic", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"step_time_s", "tokens_per_s", "mfu", "memory_per_gpu_bytes", "fits",
                        "gpu_hours", "cost_usd", "model", "breakdown_s", "phases", "caveats"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_TRUE(j["gpu_hours"]["phases"].is_array());
  EXPECT_EQ(j["gpu_hours"]["phases"][0]["name"], "pre-training");
  for (const char* k : {"params_total", "params_activated", "train_flops_per_token",
                        "kv_cache_bytes_per_token"})
    EXPECT_TRUE(j["model"].contains(k)) << k;
  EXPECT_EQ(j["model"]["kv_cache_bytes_per_token"], 70272.0);
  EXPECT_EQ(j["num_gpus"], 2048);
}

TEST(Cli, ReportsAreByteIdenticalAcrossRuns) {
  for (const char* f : {"text", "json", "md"}) {
    auto a = run_cli({"run", kHeadline, "--fidelity", "analytic", "--format", f});
    auto b = run_cli({"run", kHeadline, "--fidelity", "analytic", "--format", f});
    ASSERT_EQ(a.code, 0);
    EXPECT_EQ(a.out, b.out) << f;
  }
}

TEST(Cli, ModelJsonIsTheReportsModelObject) {
  auto m = run_cli({"model", "scenarios/models/deepseek-v3.json", "--format", "json"});
  ASSERT_EQ(m.code, 0) << m.err;
  auto r = run_cli({"run", kHeadline, "--fidelity", "analytic", "--format", "json"});
  EXPECT_EQ(nlohmann::json::parse(m.out), nlohmann::json::parse(r.out)["model"]);
}

TEST(Cli, ModelTextNamesTheFigures) {
  auto m = run_cli({"model", "scenarios/models/deepseek-v3.json"});
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_TRUE(contains(m.out, "671.03B"));
  EXPECT_TRUE(contains(m.out, "70272 B"));
}

TEST(Cli, EveryShippedScenarioRuns) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("scenarios")) {
    if (e.path().extension() != ".json") continue;
    auto r = run_cli({"run", e.path().string(), "--format", "json"});
    EXPECT_EQ(r.code, 0) << e.path() << "\n" << r.err;
    ++n;
  }
  EXPECT_GE(n, 5);
}

TEST(Cli, SeveralScenariosGiveAJsonArray) {
  auto r = run_cli({"run", kHeadline, "--fidelity", "analytic", kHeadline, "--format", "json"});
  ASSERT_EQ(r.code, 0);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j.size(), 2u);
}

TEST(Cli, OutFileIsWrittenWholeOrNotAtAll) {
  const std::string good = temp_path("good.json");
  std::remove(good.c_str());
  auto r = run_cli({"run", kHeadline, "--fidelity", "analytic", "--format", "json", "--out", good});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(good);
  auto j = nlohmann::json::parse(in);
  EXPECT_TRUE(j.contains("step_time_s"));
  std::remove(good.c_str());

  const std::string bad_out = temp_path("bad_out.json");
  std::remove(bad_out.c_str());
  auto b = run_cli({"run", kHeadline, "does/not/exist.json", "--out", bad_out});
  EXPECT_EQ(b.code, 2);
  EXPECT_TRUE(contains(b.err, "does/not/exist.json"));
  EXPECT_FALSE(std::filesystem::exists(bad_out));
  EXPECT_FALSE(std::filesystem::exists(bad_out + ".moesim-tmp"));
}

TEST(Cli, UsageErrorsExitTwoWithAHint) {
  auto a = run_cli({"rnu", kHeadline});
  EXPECT_EQ(a.code, 2);
  EXPECT_TRUE(contains(a.err, "did you mean \"run\"")) << a.err;
  auto b = run_cli({"run", kHeadline, "--formt", "json"});
  EXPECT_EQ(b.code, 2);
  EXPECT_TRUE(contains(b.err, "--format")) << b.err;
  auto c = run_cli({"run", kHeadline, "--format", "yaml"});
  EXPECT_EQ(c.code, 2);
  EXPECT_TRUE(contains(c.err, "expected text, json or md")) << c.err;
  auto d = run_cli({"run"});
  EXPECT_EQ(d.code, 2);
  auto e = run_cli({"model", "scenarios/models/deepseek-v3.json", "--seq-len", "0"});
  EXPECT_EQ(e.code, 2);
  EXPECT_TRUE(contains(e.err, "--seq-len")) << e.err;
  auto f = run_cli({"run", kHeadline, "--fidelity", "exact"});
  EXPECT_EQ(f.code, 2);
  EXPECT_TRUE(contains(f.err, "expected analytic or des")) << f.err;
  EXPECT_EQ(run_cli({}).code, 2);
}

TEST(Cli, HelpForEveryCommand) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"--help"}, {"run", "--help"}, {"model", "--help"}, {"--version"}}) {
    auto r = run_cli(args);
    EXPECT_EQ(r.code, 0);
    EXPECT_FALSE(r.out.empty());
  }
}

TEST(Cli, BadScenarioNamesFileAndPath) {
  const std::string path = temp_path("bad_scenario.json");
  {
    std::ofstream f(path);
    f << R"({"name": "x", "model": "MISSING.json", "cluster": {}, "plan": {}, )"
         R"("precision": {}, "training": {}})";
  }
  auto r = run_cli({"run", path});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "MISSING.json")) << r.err;
  EXPECT_TRUE(contains(r.err, "error: ")) << r.err;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace moesim

namespace moesim {
namespace {

TEST(Cli, ModelImportsAHuggingFaceConfig) {
  auto hf = testing::run_cli({"model", "tests/data/hf/deepseek-v3/config.json", "--format", "json"});
  ASSERT_EQ(hf.code, 0) << hf.err;
  auto ours = testing::run_cli({"model", "scenarios/models/deepseek-v3.json", "--format", "json"});
  auto a = nlohmann::json::parse(hf.out), b = nlohmann::json::parse(ours.out);
  a.erase("name");
  b.erase("name");
  EXPECT_EQ(a, b);  // same figures from either description of the model
  auto llama = testing::run_cli({"model", "tests/data/hf/llama-3.1-405b/config.json"});
  ASSERT_EQ(llama.code, 0) << llama.err;
  EXPECT_TRUE(testing::contains(llama.out, "516096 B"));
}

TEST(Cli, ModelOnADirectoryOrGarbageExitsTwo) {
  auto d = testing::run_cli({"model", "tests/data/hf/deepseek-v3"});
  EXPECT_EQ(d.code, 2);
  EXPECT_TRUE(testing::contains(d.err, "tests/data/hf/deepseek-v3")) << d.err;
  auto s = testing::run_cli({"model", "tests/data/scenarios/syntax-error.json"});
  EXPECT_EQ(s.code, 2);
  EXPECT_TRUE(testing::contains(s.err, "syntax-error.json")) << s.err;
}

}  // namespace
}  // namespace moesim

namespace moesim {
namespace {

TEST(Cli, ScheduleDrawsAndComparesWithTheTable) {
  // Unit costs with F = B: the 1F1B bubble is exactly (PP-1)(F+B+W) = 3 x 3.
  auto r = testing::run_cli({"schedule", "--schedule", "1f1b", "--pp", "4", "--micro-batches", "8"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(testing::contains(r.out, "rank 0 |")) << r.out;
  EXPECT_TRUE(testing::contains(r.out, "largest bubble 9.00; the DualPipe table's formula gives 9.00"))
      << r.out;
  auto j = testing::run_cli(
      {"schedule", "--schedule", "dualpipe", "--pp", "8", "--micro-batches", "20", "--format", "json"});
  ASSERT_EQ(j.code, 0) << j.err;
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["per_rank"][0]["peak_activations"], 9);  // PP + 1
  EXPECT_EQ(doc["per_rank"][0]["parameter_copies"], 2);
  auto s = testing::run_cli({"schedule", "scenarios/deepseek-v3-pretrain-2048xH800.json"});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_TRUE(testing::contains(s.out, "dualpipe: 16 ranks")) << s.out;
}

TEST(Cli, ScheduleRejectsImpossiblePlans) {
  auto r = testing::run_cli({"schedule", "--schedule", "dualpipe", "--pp", "3", "--micro-batches", "8"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(testing::contains(r.err, "/pp") || testing::contains(r.err, "/schedule")) << r.err;
  auto u = testing::run_cli({"schedule", "--schedule", "dualpip", "--pp", "4", "--micro-batches", "8"});
  EXPECT_EQ(u.code, 2);
  EXPECT_TRUE(testing::contains(u.err, "did you mean \"dualpipe\"")) << u.err;
}

}  // namespace
}  // namespace moesim

namespace moesim {
namespace {

TEST(Cli, ValidatePrintsTheTableAndExitsByVerdict) {
  auto r = testing::run_cli({"validate", "--case", "kv-cache"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(testing::contains(r.out, "deepseek-v3-kv-cache")) << r.out;
  EXPECT_TRUE(testing::contains(r.out, "3 of 3 cases pass")) << r.out;
  auto bad = testing::run_cli({"validate", "--dir", "tests/data/validation"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_TRUE(testing::contains(bad.out, "FAIL")) << bad.out;
  auto none = testing::run_cli({"validate", "--case", "no-such-case"});
  EXPECT_EQ(none.code, 2);
  auto j = testing::run_cli({"validate", "--case", "dualpipe", "--format", "json"});
  ASSERT_EQ(j.code, 0);
  EXPECT_TRUE(nlohmann::json::parse(j.out).is_array());
}

}  // namespace
}  // namespace moesim

namespace moesim {
namespace {

TEST(Cli, CalibrateShowsTheFitAndRejectsBadProfiles) {
  auto r = testing::run_cli({"calibrate", "validation/calibration/h800-published.json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(testing::contains(r.out, "leave-one-shape-family-out")) << r.out;
  EXPECT_TRUE(testing::contains(r.out, "attn.o_proj")) << r.out;
  auto bad = testing::run_cli({"calibrate", "scenarios/models/deepseek-v3.json"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(testing::contains(bad.err, "/format")) << bad.err;
}

}  // namespace
}  // namespace moesim

namespace moesim {
namespace {

TEST(Cli, ACalibrationProfileThatDoesNotFitIsAnError) {
  const std::string dir = std::filesystem::temp_directory_path() / "moesim_cli_calibration";
  std::filesystem::create_directories(dir);
  auto j = nlohmann::json::parse(std::ifstream("tests/data/scenarios/calibrated-headline.json"));
  j["model"] = std::filesystem::absolute("scenarios/models/deepseek-v3.json").string();
  j["cluster"]["calibration_profile"] = "missing.json";
  std::ofstream(dir + "/missing.json.scenario") << j.dump();
  auto r = testing::run_cli({"run", dir + "/missing.json.scenario"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(testing::contains(r.err, "/cluster/calibration_profile")) << r.err;
  EXPECT_TRUE(testing::contains(r.err, "cannot open file")) << r.err;
  j["cluster"]["gpu"] = "H100";
  j["cluster"]["calibration_profile"] =
      std::filesystem::absolute("tests/data/calibration/h800-fixture-measured.json").string();
  std::ofstream(dir + "/h100.scenario") << j.dump();
  auto m = testing::run_cli({"run", dir + "/h100.scenario"});
  EXPECT_EQ(m.code, 2);
  EXPECT_TRUE(testing::contains(m.err, "made on H800, the cluster has H100")) << m.err;
}

}  // namespace
}  // namespace moesim
