// `moesim collective` from the command line (issue 20): the fast model by
// default, the per-flow reference on request, every EP group at once, ranks
// summarised beyond 64, and clear refusals.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_run.h"

namespace moesim {
namespace {

using testing::contains;
using testing::run_cli;

nlohmann::json collective_json(std::vector<std::string> args) {
  args.insert(args.begin(), "collective");
  args.push_back("--format");
  args.push_back("json");
  const auto r = run_cli(args);
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST(CollectiveCli, FastByDefaultAndThePerFlowReferenceOnRequestAgree) {
  for (const char* kind : {"all_to_all", "all_reduce_ring", "deepep_combine"}) {
    const std::vector<std::string> args =
        std::string(kind).rfind("deepep", 0) == 0
            ? std::vector<std::string>{kind, "--ep", "16", "--routing", "zipf:0.8"}
            : std::vector<std::string>{kind, "--gpus", "16", "--size", "64MiB"};
    const auto fast = collective_json(args);
    auto per_flow_args = args;
    per_flow_args.push_back("--per-flow");
    const auto ref = collective_json(per_flow_args);
    EXPECT_EQ(fast["network_model"], "fast");
    EXPECT_EQ(ref["network_model"], "per-flow");
    EXPECT_NEAR(fast["time_us"].get<double>(), ref["time_us"].get<double>(),
                1e-6 * ref["time_us"].get<double>())
        << kind;
  }
}

TEST(CollectiveCli, EveryEpGroupAtOnceTakesWhatOneGroupTakesWhereTheyShareNoLink) {
  // Groups of 16 GPUs (2 nodes) under one leaf per plane share no link.
  const auto one = collective_json({"deepep_dispatch", "--ep", "16"});
  const auto four = collective_json({"deepep_dispatch", "--ep", "16", "--gpus", "64"});
  EXPECT_EQ(four["groups"], 4);
  EXPECT_EQ(four["ranks"].size(), 64u);
  EXPECT_NEAR(four["time_us"].get<double>(), one["time_us"].get<double>(), 1e-9);
  EXPECT_NEAR(four["ranks"][20]["kernel_us"].get<double>(),
              one["ranks"][4]["kernel_us"].get<double>(), 1e-9);
}

TEST(CollectiveCli, TextListsUpTo64RanksAndSummarisesMore) {
  const auto few = run_cli({"collective", "all_gather", "--gpus", "64", "--size", "64MiB"});
  ASSERT_EQ(few.code, 0) << few.err;
  EXPECT_TRUE(contains(few.out, "\n     63 "));
  EXPECT_FALSE(contains(few.out, "ranks by"));
  const auto many = run_cli({"collective", "all_to_all", "--gpus", "4096", "--size", "64MiB"});
  ASSERT_EQ(many.code, 0) << many.err;
  EXPECT_TRUE(contains(many.out, "4096 ranks by time_us: fastest, median, slowest"));
  EXPECT_TRUE(contains(many.out, "by symmetry, the flows of one block of 256 GPUs timed for all 16"));
  EXPECT_FALSE(contains(many.out, "\n    100 "));
}

TEST(CollectiveCli, RefusesWhatItCannotRunWithTheOptionNamed) {
  const auto groups = run_cli({"collective", "deepep_dispatch", "--ep", "16", "--gpus", "40"});
  EXPECT_EQ(groups.code, 2);
  EXPECT_TRUE(contains(groups.err, "--gpus: expected a multiple of --ep 16, found 40"));
  const auto partial = run_cli({"collective", "all_to_all", "--gpus", "10000"});
  EXPECT_EQ(partial.code, 2);
  EXPECT_TRUE(contains(partial.err, "--gpus: 10000 GPUs end in a partial leaf or node"));
  EXPECT_TRUE(partial.out.empty());
}

}  // namespace
}  // namespace moesim
