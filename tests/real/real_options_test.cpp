#include "real/real_options.h"

#include <gtest/gtest.h>

#include <string>

namespace moesim::real {
namespace {

std::string usage_error(void (*f)()) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(RealOptions, ProfileNeedsShapesAndOut) {
  const ProfileOptions p = parse_profile_options(
      {"--shapes", "s.json", "--out=p.json", "--warmup", "3", "--repeats", "7", "--skip-untileable"});
  EXPECT_EQ(p.shapes, "s.json");
  EXPECT_EQ(p.out, "p.json");
  EXPECT_EQ(p.timing.warmup, 3);
  EXPECT_EQ(p.timing.repeats, 7);
  EXPECT_TRUE(p.skip_untileable);
  EXPECT_NE(usage_error([] { parse_profile_options({"--out", "p.json"}); }).find("--shapes"),
            std::string::npos);
  EXPECT_NE(usage_error([] { parse_profile_options({"--shapes", "s.json"}); }).find("--out"),
            std::string::npos);
  EXPECT_NE(usage_error([] { parse_profile_options({"--shapes", "s", "--out", "o", "--repeats", "0"}); })
                .find("--repeats: expected an integer in 1.."),
            std::string::npos);
  EXPECT_NE(usage_error([] { parse_profile_options({"--shape", "s.json"}); })
                .find("unknown option --shape; did you mean --shapes?"),
            std::string::npos);
  EXPECT_NE(usage_error([] { parse_profile_options({"--shapes"}); }).find("--shapes needs a value"),
            std::string::npos);
  EXPECT_TRUE(parse_profile_options({"--help"}).help);
}

TEST(RealOptions, LayerKindScaleAndTokens) {
  const LayerOptions l = parse_layer_options({"--kind", "dense", "--scale", "0.25", "--tokens", "1024"});
  EXPECT_EQ(l.kind, LayerKindOption::kDense);
  EXPECT_DOUBLE_EQ(l.scale, 0.25);
  EXPECT_EQ(l.tokens, 1024);
  EXPECT_EQ(parse_layer_options({}).kind, LayerKindOption::kMoe);
  EXPECT_NE(usage_error([] { parse_layer_options({"--kind", "sparse"}); }).find("dense or moe"),
            std::string::npos);
  EXPECT_NE(usage_error([] { parse_layer_options({"--tokens", "1000"}); }).find("multiple of 128"),
            std::string::npos);
  EXPECT_NE(usage_error([] { parse_layer_options({"--scale", "2"}); }).find("--scale"),
            std::string::npos);
  EXPECT_NE(usage_error([] { parse_layer_options({"extra"}); }).find("positional"),
            std::string::npos);
}

TEST(RealOptions, StepTimeoutAndIdFile) {
  const StepOptions s = parse_step_options({"--timeout", "30", "--id-file", "/shared/id", "--run-tag", "t1"});
  EXPECT_DOUBLE_EQ(s.timeout_s, 30);
  EXPECT_EQ(s.id_file, "/shared/id");
  EXPECT_EQ(s.run_tag, "t1");
  EXPECT_NE(usage_error([] { parse_step_options({"--timeout", "-1"}); }).find("--timeout"),
            std::string::npos);
}

}  // namespace
}  // namespace moesim::real
