// Deterministic fuzzing of the sweep spec loader: seeded mutations
// (tests/json_mutations.h) of the shipped IB x EP x schedule spec, with the
// base scenario named by absolute path, must either load (and expand its
// points) or throw InputError with diagnostics: never another exception, and
// never an expansion that runs away (ranges with tiny steps or huge bounds).
#include <gtest/gtest.h>

#include <fstream>

#include "sim/core/diagnostics.h"
#include "sim/sweep/sweep_points.h"
#include "sim/sweep/sweep_spec.h"
#include "tests/json_mutations.h"
#include "tests/sweep/sweep_fixture.h"

namespace moesim {
namespace {

using test::json;

constexpr int kCases = 1500;

TEST(SweepSpecFuzz, StructuralMutationsLoadOrEndInAnInputError) {
  json base = json::parse(std::ifstream(std::string(MOESIM_SOURCE_DIR) +
                                        "/scenarios/sweeps/deepseek-v3-ib-ep-schedule.json"));
  base["base"] = testing::headline_path();
  const std::string dir = testing::fresh_dir("fuzz");
  const std::string path = dir + "/spec.json";
  int accepted = 0, rejected = 0;
  for (int i = 0; i < kCases; ++i) {
    std::string what;
    const json j = test::mutated_case(base, i, 0x5EEDull, 2, &what);
    std::ofstream(path) << j.dump();
    try {
      const SweepSpec s = load_sweep_spec(path);
      const auto indices = sweep_indices(s);
      EXPECT_LE(indices.size(), enumeration_size(s)) << what;
      if (!indices.empty()) point_scenario(s, point_values(s, indices.back()));
      ++accepted;
    } catch (const InputError& e) {
      EXPECT_FALSE(e.diagnostics().empty()) << what;
      for (const auto& item : e.diagnostics().items()) EXPECT_FALSE(item.message.empty()) << what;
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << ": unexpected exception: " << e.what();
    }
  }
  EXPECT_GT(accepted, 50);
  EXPECT_GT(rejected, kCases / 4);
}

}  // namespace
}  // namespace moesim
