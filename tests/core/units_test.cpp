#include "sim/core/units.h"

#include <gtest/gtest.h>

namespace moesim {

TEST(Units, CrossUnitArithmeticGivesTheRightUnit) {
  Seconds t = GFlops(1000) / TFlopsPerSecond(1);
  EXPECT_DOUBLE_EQ(seconds(t), 1.0);
  Seconds u = GB(50) / GBPerSecond(50);
  EXPECT_DOUBLE_EQ(seconds(u), 1.0);
  EXPECT_DOUBLE_EQ(gb_per_s(GbitPerSecond(400)), 50.0);
  EXPECT_DOUBLE_EQ(bytes(GiB(1)), 1073741824.0);
  EXPECT_DOUBLE_EQ(flops(TFlopsPerSecond(2) * SecondsOf(3)), 6e12);
}

TEST(Units, ComparisonAndMax) {
  EXPECT_TRUE(Microseconds(1) < Milliseconds(1));
  EXPECT_EQ(max(SecondsOf(2), SecondsOf(3)), SecondsOf(3));
  EXPECT_EQ(min(SecondsOf(2), SecondsOf(3)), SecondsOf(2));
  EXPECT_DOUBLE_EQ(GB(3) / GB(1), 3.0);
}

}  // namespace moesim
