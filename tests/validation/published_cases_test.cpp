// Every case in validation/published/*.json against the simulator, through the
// same code as `moesim validate`. The test log prints the whole table.
#include <gtest/gtest.h>

#include <cstdio>

#include "sim/validation/validation_cases.h"
#include "sim/validation/validation_report.h"

namespace moesim {
namespace {

void run_and_check(const std::string& filter, size_t at_least) {
  const auto results = run_validation("validation/published", ".", filter);
  std::fputs(render_validation(results, ValidationFormat::kText).c_str(), stdout);
  ASSERT_GE(results.size(), at_least);
  for (const auto& r : results) {
    EXPECT_TRUE(r.problem.empty()) << r.c.name << ": " << r.problem;
    EXPECT_TRUE(r.pass) << r.c.name << ": simulated " << r.simulated << " vs " << r.c.reference
                        << " (" << r.c.source << ")";
  }
}

TEST(PublishedCases, All) { run_and_check("", 37); }
TEST(PublishedCases, DeepSeekV3Model) { run_and_check("deepseek-v3-", 5); }
TEST(PublishedCases, DualPipeTable) { run_and_check("pipe", 6); }

TEST(PublishedCases, AFailingCaseFailsAndAMalformedOneIsAnError) {
  ValidationResult r;
  const auto results = run_validation("tests/data/validation", ".", "");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_FALSE(results[0].pass);  // a deliberately wrong reference
  EXPECT_FALSE(results[1].problem.empty());  // a model file that does not exist
  EXPECT_NE(render_validation(results, ValidationFormat::kText).find("FAIL"), std::string::npos);
}

}  // namespace
}  // namespace moesim
