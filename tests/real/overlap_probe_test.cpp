// `moesim-real overlap`'s CPU side: the slowdown formula, the profile update and its
// options. TEST FIXTURE: the timings below are synthetic, made up to exercise the
// formula and the writer; none is a measurement, and no file written here is committed.
#include "real/overlap_probe.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sim/core/diagnostics.h"
#include "sim/hw/calibration_profile.h"
#include "sim/hw/efficiency_table.h"

namespace moesim::real {
namespace {

OverlapTiming synthetic(double shared_us) {
  OverlapTiming t;
  t.sm_count = 132;
  t.comm_sms = 20;
  t.comm_gbps = 400;
  t.achieved_gbps = 396;
  t.alone_s = 100e-6;
  t.shared_s = shared_us * 1e-6;
  t.m = 4096;
  t.n = 7168;
  t.k = 16384;
  return t;
}

TEST(OverlapProbe, SlowdownIsWhatTheSmShareDoesNotExplain) {
  // SM share alone: 100 us x 132 / 112 = 117.857 us.
  const double share_us = 100.0 * 132 / 112;
  EXPECT_NEAR(compute_slowdown(synthetic(share_us / 0.9)), 0.1, 1e-12);
  EXPECT_NEAR(compute_slowdown(synthetic(share_us)), 0.0, 1e-12);
  EXPECT_EQ(compute_slowdown(synthetic(105)), 0.0);  // faster than the share: floored
}

TEST(OverlapProbe, WrittenFigureLoadsAsTheTablesInterference) {
  const std::string path = ::testing::TempDir() + "moesim_overlap_" + std::to_string(::getpid()) +
                           ".json";
  std::filesystem::copy_file("tests/data/calibration/h800-fixture-measured.json", path,
                             std::filesystem::copy_options::overwrite_existing);
  const double share_us = 100.0 * 132 / 112;
  write_overlap(path, synthetic(share_us / 0.92), "TEST FIXTURE device");
  const CalibrationProfile p = load_calibration_profile(path);
  ASSERT_TRUE(p.overlap_slowdown.has_value());
  EXPECT_NEAR(*p.overlap_slowdown, 0.08, 1e-12);
  EXPECT_NE(p.overlap_source.find("TEST FIXTURE device"), std::string::npos);
  EXPECT_NEAR(*efficiency_table_from_profile(p).interference, 0.08, 1e-12);
  std::remove(path.c_str());
}

TEST(OverlapProbe, AProfileThatDoesNotLoadIsLeftAlone) {
  const std::string path = ::testing::TempDir() + "moesim_overlap_bad_" +
                           std::to_string(::getpid()) + ".json";
  std::ofstream(path) << R"({"format": "moesim-calibration-1", "gpu": "H80", "entries": []})";
  EXPECT_THROW(write_overlap(path, synthetic(130), "x"), InputError);
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("overlap"), std::string::npos);
  std::remove(path.c_str());
}

TEST(OverlapProbe, OptionsNeedAProfileAndSaneSms) {
  EXPECT_THROW(parse_overlap_options({}), UsageError);
  const OverlapOptions o = parse_overlap_options({"--profile", "p.json", "--comm-sms", "24"});
  EXPECT_EQ(o.profile, "p.json");
  EXPECT_EQ(o.comm_sms, 24);
  EXPECT_EQ(o.comm_gbps, 400);
  EXPECT_THROW(parse_overlap_options({"--profile", "p.json", "--comm-sms", "0"}), UsageError);
  EXPECT_THROW(parse_overlap_options({"--profile", "p.json", "--comm-gbps", "-1"}), UsageError);
  EXPECT_TRUE(parse_overlap_options({"--help"}).help);
}

}  // namespace
}  // namespace moesim::real
