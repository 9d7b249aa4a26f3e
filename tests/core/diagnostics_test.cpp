#include "sim/core/diagnostics.h"

#include <gtest/gtest.h>

namespace moesim {

TEST(Diagnostics, FormatNamesFilePathAndMessage) {
  Diagnostic d{"plan.json", "/parallel/ep", "48 does not divide 256 routed experts"};
  EXPECT_EQ(d.to_string(), "error: plan.json: /parallel/ep: 48 does not divide 256 routed experts");
}

TEST(Diagnostics, ThrowsOnlyWhenNotEmpty) {
  Diagnostics ds;
  EXPECT_NO_THROW(ds.throw_if_any());
  ds.add("a.json", "/x", "bad");
  ds.add("a.json", "/y", "worse");
  try {
    ds.throw_if_any();
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostics().size(), 2u);
    EXPECT_NE(std::string(e.what()).find("/y: worse"), std::string::npos);
  }
}

TEST(Diagnostics, ClosestMatchFindsTyposAndRejectsStrangers) {
  std::vector<std::string> keys = {"micro_batch_size", "pp", "ep", "schedule"};
  EXPECT_EQ(closest_match("micro_bach_size", keys), "micro_batch_size");
  EXPECT_EQ(closest_match("shedule", keys), "schedule");
  EXPECT_EQ(closest_match("completely_unrelated", keys), "");
}

}  // namespace moesim
