#include "kernels/device_info.h"

#include <gtest/gtest.h>

namespace moesim::kernels {

TEST(DeviceInfo, ReportsARuntimeAndExplainsAMissingGpu) {
  DeviceInfo d = query_devices();
  EXPECT_GT(d.runtime_version, 0);
  if (d.device_count == 0) {
    EXPECT_FALSE(d.error.empty());
    GTEST_SKIP() << "no GPU here: " << d.error;
  }
  EXPECT_FALSE(d.name.empty());
  EXPECT_GT(d.sm_count, 0);
}

}  // namespace moesim::kernels
