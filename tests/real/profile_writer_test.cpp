// The profile writer's output loads with the simulator's parser and `moesim calibrate`.
// TEST FIXTURE: every timing below is synthetic, made up to exercise the writer; none is a
// measurement, and no file written here is committed.
#include "real/profile_writer.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "cli/cli.h"
#include "real/profile_plan.h"
#include "sim/core/diagnostics.h"
#include "sim/hw/calibration_profile.h"
#include "tests/cost/headline_fixture.h"

namespace moesim::real {
namespace {

bool exists(const std::string& p) { return std::ifstream(p).good(); }

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "moesim_real_" + std::to_string(::getpid()) + "_" + name;
}

// Synthetic: each case "takes" the time the published H800 roofline would give at 60% of
// peak for GEMMs and attention, and 50% of HBM bandwidth for memory ops.
ProfileRun synthetic_run() {
  ProfileRun run;
  run.shapes_file = "v3.shapes.json";
  run.list = profile_shapes(testing::headline());
  run.gpu = "H800";
  run.device.name = "TEST FIXTURE (synthetic timings, not a GPU)";
  run.device.driver_version = 13000;
  run.device.runtime_version = 13000;
  run.device.date = "2026-01-01T00:00:00Z";
  run.timing = TimingOptions{2, 3};
  run.method = "TEST FIXTURE";
  const GpuSpec& h800 = *find_gpu("H800");
  for (const ProfileCase& c : plan_profile(run.list, run.shapes_file, true)) {
    if (c.kind == CaseKind::kSkip) {
      run.skipped.push_back(SkippedShape{c.index, c.shape, c.reason});
      continue;
    }
    ShapeMeasurement m;
    m.index = c.index;
    m.shape = c.shape;
    m.m = static_cast<double>(c.m);
    m.n = static_cast<double>(c.n);
    m.k = static_cast<double>(c.k);
    m.groups = c.groups;
    double t = 0;
    if (c.shape.op_class == ProfileClass::kMemory) {
      t = c.shape.bytes / (0.5 * bytes_per_s(h800.hbm_bandwidth));
    } else {
      const double flop = c.shape.op_class == ProfileClass::kAttention
                              ? c.shape.flops
                              : 2.0 * m.m * m.n * m.k * m.groups;
      t = flop / (0.6 * flops_per_s(c.shape.fp8 ? h800.peak_fp8 : h800.peak_bf16));
    }
    m.stats = summarize_timings({t * 0.99, t, t * 1.02});
    run.measured.push_back(m);
  }
  return run;
}

TEST(ProfileWriter, WrittenProfileLoadsWithTheSimulatorsParser) {
  const ProfileRun run = synthetic_run();
  ASSERT_FALSE(run.measured.empty());
  const std::string path = temp_path("profile.json");
  write_calibration_profile(path, run);
  const CalibrationProfile p = load_calibration_profile(path);
  EXPECT_TRUE(p.measured);
  EXPECT_EQ(p.gpu.name, "H800");
  EXPECT_EQ(p.entries.size(), run.measured.size());
  for (const auto& e : p.entries) {
    if (e.op == CalibratedOp::kMemory)
      EXPECT_NEAR(e.efficiency, 0.5, 1e-9) << e.name;
    else
      EXPECT_NEAR(e.efficiency, 0.6, 1e-9) << e.name;
  }
  std::ifstream f(path);
  const nlohmann::json j = nlohmann::json::parse(f);
  EXPECT_EQ(j["about"]["timings"].size(), run.measured.size());
  EXPECT_EQ(j["about"]["skipped"].size(), run.skipped.size());
  EXPECT_DOUBLE_EQ(j["about"]["timings"][0]["p90_s"].get<double>(),
                   run.measured[0].stats.p90_s);
  std::remove(path.c_str());
}

TEST(ProfileWriter, WrittenProfileLoadsWithMoesimCalibrate) {
  const std::string path = temp_path("calibrate.json");
  write_calibration_profile(path, synthetic_run());
  std::ostringstream out, err;
  EXPECT_EQ(cli::main({"calibrate", path}, out, err), cli::kExitOk) << err.str();
  EXPECT_NE(out.str().find("measured"), std::string::npos) << out.str();
  std::remove(path.c_str());
}

TEST(ProfileWriter, AboveThePeakIsRejectedAndNoProfileAppears) {
  ProfileRun run = synthetic_run();
  run.gpu = "A100-80GB";  // no FP8 peak: the FP8 GEMM entries cannot be efficiencies
  const std::string path = temp_path("rejected.json");
  EXPECT_THROW(write_calibration_profile(path, run), InputError);
  EXPECT_FALSE(exists(path));
  EXPECT_TRUE(exists(path + ".rejected"));
  std::remove((path + ".rejected").c_str());
}

TEST(ProfileWriter, NothingMeasuredIsAnError) {
  ProfileRun run = synthetic_run();
  run.measured.clear();
  const std::string path = temp_path("empty.json");
  EXPECT_THROW(write_calibration_profile(path, run), std::runtime_error);
  EXPECT_FALSE(exists(path));
}

TEST(ProfileWriter, CatalogGpuFromTheDeviceName) {
  EXPECT_EQ(catalog_gpu_for_device("NVIDIA H100 80GB HBM3").value_or(""), "H100");
  EXPECT_EQ(catalog_gpu_for_device("NVIDIA H800").value_or(""), "H800");
  EXPECT_EQ(catalog_gpu_for_device("NVIDIA H200").value_or(""), "H200");
  EXPECT_EQ(catalog_gpu_for_device("NVIDIA A100-SXM4-80GB").value_or(""), "A100-80GB");
  EXPECT_FALSE(catalog_gpu_for_device("NVIDIA H100 PCIe").has_value());
  EXPECT_FALSE(catalog_gpu_for_device("NVIDIA H100 NVL").has_value());
  EXPECT_FALSE(catalog_gpu_for_device("NVIDIA GeForce RTX 4090").has_value());
}

}  // namespace
}  // namespace moesim::real
