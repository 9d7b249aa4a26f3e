// Golden reports: the CLI's output for shipped scenarios against checked-in
// expectations. A change in a modeled number shows up here; update the files
// deliberately (MOESIM_UPDATE_GOLDEN=1 ctest -R Golden) and say why in the commit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/cli/cli_run.h"

namespace moesim {
namespace {

void check_golden(const std::vector<std::string>& args, const std::string& golden) {
  auto r = testing::run_cli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string path = "tests/cli/golden/" + golden;
  if (std::getenv("MOESIM_UPDATE_GOLDEN")) {
    std::ofstream(path) << r.out;
    GTEST_SKIP() << "updated " << path;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing " << path << "; run with MOESIM_UPDATE_GOLDEN=1 to create it";
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(r.out, want.str()) << "report changed: " << path;
}

TEST(Golden, HeadlineText) {
  check_golden({"run", "scenarios/deepseek-v3-pretrain-2048xH800.json"},
               "deepseek-v3-pretrain-2048xH800.txt");
}

TEST(Golden, DeepSeekV3Model) {
  check_golden({"model", "scenarios/models/deepseek-v3.json", "--format", "json"},
               "deepseek-v3-model.json");
}

}  // namespace
}  // namespace moesim
