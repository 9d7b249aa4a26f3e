#include <gtest/gtest.h>

#include "sim/core/diagnostics.h"
#include "sim/hw/calibration_check.h"
#include "sim/hw/efficiency_table.h"

namespace moesim {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
  try {
    parse_calibration_profile(j, "p.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

json minimal() {
  return json::parse(R"({"format": "moesim-calibration-1", "gpu": "H800", "entries": [
    {"op": "gemm", "dtype": "fp8", "m": 4096, "n": 7168, "k": 16384, "tflops": 1426}]})");
}

TEST(CalibrationProfile, PublishedProfileLoadsAndReproducesDeepGemm) {
  const auto p = load_calibration_profile("validation/calibration/h800-published.json");
  EXPECT_EQ(p.gpu.name, "H800");
  EXPECT_FALSE(p.measured);
  EXPECT_EQ(p.entries.size(), 12u);
  // Exact at a measured shape: 1426 TFLOPS of 1978.9.
  EXPECT_NEAR(published_h800_efficiency().gemm_efficiency(4096, 7168, 16384, true),
              1426.0 / 1978.9, 1e-9);
  EXPECT_NEAR(published_h800_efficiency().attention_efficiency(), 660.0 / 989.4, 1e-9);
}

TEST(CalibrationProfile, SchemaErrorsNameThePath) {
  json j = minimal();
  j["format"] = "v0";
  EXPECT_NE(error_of(j).find("p.json: /format"), std::string::npos);
  j = minimal();
  j["gpu"] = "H80";
  EXPECT_NE(error_of(j).find("did you mean \"H800\""), std::string::npos);
  j = minimal();
  j["entries"][0].erase("tflops");
  EXPECT_NE(error_of(j).find("/entries/0: expected exactly one of"), std::string::npos);
  j = minimal();
  j["entries"][0]["tflops"] = 5000;
  EXPECT_NE(error_of(j).find("above the datasheet"), std::string::npos);
  j = minimal();
  j["entries"][0]["tflop"] = 1;
  EXPECT_NE(error_of(j).find("did you mean \"tflops\""), std::string::npos);
  j = minimal();
  j["measured"] = true;
  EXPECT_NE(error_of(j).find("must record the device"), std::string::npos);
  EXPECT_EQ(error_of(minimal()), "");
}

// overlap.compute_slowdown becomes the table's interference (the des step's
// GpuConfig::interference); out of range or unsourced, a clear error.
TEST(CalibrationProfile, OverlapSlowdownIsReadAndChecked) {
  EXPECT_FALSE(efficiency_table_from_profile(parse_calibration_profile(minimal(), "p.json"))
                   .interference.has_value());
  json j = minimal();
  j["overlap"] = {{"compute_slowdown", 0.08}, {"source", "real/ overlap probe"}};
  const EfficiencyTable t = efficiency_table_from_profile(parse_calibration_profile(j, "p.json"));
  ASSERT_TRUE(t.interference.has_value());
  EXPECT_DOUBLE_EQ(*t.interference, 0.08);
  j["overlap"]["compute_slowdown"] = 1.0;
  EXPECT_NE(error_of(j).find("p.json: /overlap/compute_slowdown: expected a number in [0, 1)"),
            std::string::npos)
      << error_of(j);
  j["overlap"] = {{"compute_slowdown", 0.1}};
  EXPECT_NE(error_of(j).find("/overlap/source"), std::string::npos);
  j["overlap"] = 3;
  EXPECT_NE(error_of(j).find("/overlap: expected an object"), std::string::npos);
}

TEST(EfficiencyFit, ExactAtMeasuredShapesAndTrendFarAway) {
  std::vector<CalibrationEntry> es;
  // eff = 0.5 * (m/1024)^0.1, a pure log-linear law: the fit recovers it.
  for (double m : {512.0, 1024.0, 2048.0, 4096.0, 8192.0, 16384.0})
    for (double n : {1024.0, 4096.0}) {
      CalibrationEntry e;
      e.m = m;
      e.n = n;
      e.k = 2048;
      e.efficiency = 0.5 * std::pow(m / 1024.0, 0.1);
      es.push_back(e);
    }
  const EfficiencyFit f = EfficiencyFit::fit(es);
  EXPECT_TRUE(f.log_linear());
  EXPECT_NEAR(f.at(2048, 4096, 2048), 0.5 * std::pow(2.0, 0.1), 1e-9);
  EXPECT_NEAR(f.at(3000, 2000, 2048), 0.5 * std::pow(3000 / 1024.0, 0.1), 1e-6);
  EXPECT_LE(f.at(1e9, 1e9, 1e9), 1.0);  // clamped
}

TEST(CalibrationCheck, LeaveOneFamilyOutPredictsEveryGemm) {
  const auto c = check_calibration(load_calibration_profile("validation/calibration/h800-published.json"));
  EXPECT_EQ(c.held_out_rows, 10u);  // the 10 GEMM entries; attention and memory stand alone
  EXPECT_LT(c.max_fit_error, 0.10);
  EXPECT_GT(c.rms_held_out_error, 0.0);
}

}  // namespace
}  // namespace moesim
