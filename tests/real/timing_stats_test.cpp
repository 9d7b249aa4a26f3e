#include "real/timing_stats.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace moesim::real {
namespace {

TEST(TimingStats, MedianSpreadAndPercentiles) {
  const TimingStats t = summarize_timings({5, 1, 4, 2, 3, 10, 9, 8, 7, 6});
  EXPECT_EQ(t.repeats, 10);
  EXPECT_DOUBLE_EQ(t.min_s, 1);
  EXPECT_DOUBLE_EQ(t.max_s, 10);
  EXPECT_DOUBLE_EQ(t.median_s, 5.5);
  EXPECT_DOUBLE_EQ(t.p10_s, 1.9);  // numpy.percentile(range(1, 11), 10)
  EXPECT_DOUBLE_EQ(t.p90_s, 9.1);
  EXPECT_DOUBLE_EQ(t.mean_s, 5.5);
}

TEST(TimingStats, OneSample) {
  const TimingStats t = summarize_timings({2e-6});
  EXPECT_DOUBLE_EQ(t.median_s, 2e-6);
  EXPECT_DOUBLE_EQ(t.p10_s, 2e-6);
  EXPECT_DOUBLE_EQ(t.p90_s, 2e-6);
}

TEST(TimingStats, RejectsNoSamplesAndNonsense) {
  EXPECT_THROW(summarize_timings({}), std::invalid_argument);
  EXPECT_THROW(summarize_timings({1.0, -1.0}), std::invalid_argument);
  EXPECT_THROW(summarize_timings({std::numeric_limits<double>::quiet_NaN()}),
               std::invalid_argument);
}

}  // namespace
}  // namespace moesim::real
