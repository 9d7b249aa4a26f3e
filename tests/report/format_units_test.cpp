// The report's number formats: one unit per magnitude, fixed precision, and
// no time at all said as "0 s" (the studio showed "0.0 us", issue 18).
#include <gtest/gtest.h>

#include "sim/report/format_units.h"

namespace moesim {
namespace {

TEST(FormatUnits, SecondsPickOneUnitPerMagnitude) {
  EXPECT_EQ(fmt_seconds(0), "0 s");
  EXPECT_EQ(fmt_seconds(19.934), "19.93 s");
  EXPECT_EQ(fmt_seconds(0.8502), "850.20 ms");
  EXPECT_EQ(fmt_seconds(5.1956), "5.20 s");  // never "5195.6 ms"
  EXPECT_EQ(fmt_seconds(12.3e-6), "12.3 us");
  EXPECT_EQ(fmt_seconds(3 * 86400), "3.0 days");
  EXPECT_EQ(fmt_signed_seconds(-0.5), "-500.00 ms");
}

// Side by side (a table column, a chart's bars): the unit of the largest.
TEST(FormatUnits, SecondsLikeAReferenceShareItsUnit) {
  EXPECT_EQ(fmt_seconds_like(0.95961, 2.08), "0.96 s");
  EXPECT_EQ(fmt_seconds_like(0.00593, 16.82), "0.01 s");
  EXPECT_EQ(fmt_seconds_like(2.5e-4, 0.004), "0.25 ms");
  EXPECT_EQ(fmt_seconds_like(0, 16.82), "0 s");
  EXPECT_EQ(fmt_seconds_like(7.2, 7.2), fmt_seconds(7.2));
}

}  // namespace
}  // namespace moesim
