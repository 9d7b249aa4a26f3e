#include "real/routing_counts.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace moesim::real {
namespace {

TEST(RoutingCounts, ATokenGoesToARankOnceAndExpertsCountSlots) {
  // 8 experts on 4 ranks (2 each), top-2, 3 tokens.
  const std::vector<std::int32_t> idx = {0, 1,   // token 0: both on rank 0
                                         1, 6,   // token 1: ranks 0 and 3
                                         7, 2};  // token 2: ranks 3 and 1
  const DispatchPlan p = plan_dispatch(idx, 2, 8, 4);
  EXPECT_EQ(p.tokens_to, (std::vector<std::int64_t>{2, 1, 0, 2}));
  EXPECT_EQ(p.token_ids[0], (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(p.token_ids[3], (std::vector<std::int32_t>{1, 2}));
  EXPECT_EQ(p.slots_to_expert, (std::vector<std::int64_t>{1, 2, 1, 0, 0, 0, 1, 1}));
  EXPECT_EQ(expert_owner(255, 256, 64), 63);
}

TEST(RoutingCounts, BadRoutingIsAClearError) {
  EXPECT_THROW(plan_dispatch({0, 1}, 2, 8, 3), std::invalid_argument);  // 3 does not divide 8
  EXPECT_THROW(plan_dispatch({0, 1, 2}, 2, 8, 4), std::invalid_argument);
  try {
    plan_dispatch({0, 9}, 2, 8, 4);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("names expert 9"), std::string::npos);
  }
}

}  // namespace
}  // namespace moesim::real
