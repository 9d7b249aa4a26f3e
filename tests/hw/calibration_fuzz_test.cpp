// Deterministic fuzzing of the calibration profile parser (the format real/
// writes and users hand-edit): seeded mutations (tests/json_mutations.h) of
// the trace-calibrated H800 profile (published shape entries, in-training
// entries per pass and block, DeepEP notify and call figures) with an overlap
// figure added must either give a
// profile whose efficiency table builds, or an InputError with diagnostics
// that name the file: never another exception.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "sim/core/diagnostics.h"
#include "sim/hw/efficiency_table.h"
#include "tests/json_mutations.h"

namespace moesim {
namespace {

using test::json;
using test::mutate_text;
using test::Rng;

constexpr int kStructuralCases = 3000;
constexpr int kTextCases = 1500;

json base_profile() {
  std::ifstream in("validation/calibration/h800-deepseek-v3-trace.json");
  json j = json::parse(in);
  j["overlap"] = {{"compute_slowdown", 0.05}, {"source", "fuzz base"}};
  return j;
}

struct Outcomes {
  int accepted = 0, rejected = 0;
};

void expect_clean(const std::function<CalibrationProfile()>& parse, const std::string& what,
                  Outcomes& o) {
  try {
    const CalibrationProfile p = parse();
    const EfficiencyTable t = efficiency_table_from_profile(p);
    if (t.gemm_fp8) {
      const double e = t.gemm_efficiency(4096, 7168, 2048, true);
      EXPECT_TRUE(e > 0 && e <= 1) << what << ": efficiency " << e;
    }
    for (const auto& [key, e] : t.in_training) {
      EXPECT_TRUE(e > 0 && e <= 1) << what;
    }
    if (t.ep_call) {
      EXPECT_TRUE(t.ep_call->dispatch_slowdown > 0 && t.ep_call->combine_slowdown > 0) << what;
    }
    if (t.interference) {
      EXPECT_TRUE(*t.interference >= 0 && *t.interference < 1) << what;
    }
    ++o.accepted;
  } catch (const InputError& e) {
    EXPECT_FALSE(e.diagnostics().empty()) << what;
    for (const auto& item : e.diagnostics().items()) {
      EXPECT_FALSE(item.message.empty()) << what;
      EXPECT_EQ(item.file, "fuzz.json") << what;
    }
    ++o.rejected;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": unexpected exception: " << e.what();
  }
}

TEST(CalibrationFuzz, StructuralMutationsEndInAProfileOrAnInputError) {
  const json base = base_profile();
  Outcomes o;
  for (int i = 0; i < kStructuralCases; ++i) {
    std::string what;
    const json j = test::mutated_case(base, i, 0xCA11B7ull, 3, &what);
    expect_clean([&] { return parse_calibration_profile(j, "fuzz.json"); }, what, o);
  }
  EXPECT_GT(o.accepted, 50);
  EXPECT_GT(o.rejected, kStructuralCases / 3);
}

TEST(CalibrationFuzz, TextMutationsEndInAProfileOrAnInputError) {
  const std::string base = base_profile().dump(2);
  Outcomes o;
  for (int i = 0; i < kTextCases; ++i) {
    Rng rng(0x7E57ull + static_cast<std::uint64_t>(i));
    std::string text = base;
    const std::string what = "text case " + std::to_string(i) + ": " + mutate_text(text, rng);
    expect_clean(
        [&] {
          json j;
          try {
            j = json::parse(text);
          } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e1575
            Diagnostics d;
            d.add("fuzz.json", "", std::string("not JSON: ") + e.what());
            throw InputError(d);
          }
          return parse_calibration_profile(j, "fuzz.json");
        },
        what, o);
  }
  EXPECT_GT(o.rejected, kTextCases / 3);
}

}  // namespace
}  // namespace moesim
