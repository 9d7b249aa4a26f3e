#include <gtest/gtest.h>

#include "sim/hw/cluster_spec.h"
#include "sim/hw/gpu_spec.h"

namespace moesim {

TEST(GpuCatalog, HasTheIssueGpusWithSources) {
  for (const char* n : {"H800", "H100", "H200", "A100-80GB", "B200"}) {
    const GpuSpec* g = find_gpu(n);
    ASSERT_NE(g, nullptr) << n;
    EXPECT_FALSE(g->source.empty());
    EXPECT_GT(g->sm_count, 0);
    EXPECT_GT(gib(g->hbm_capacity), 70.0);
    // Dense FP8 is twice dense BF16 on Hopper and Blackwell; Ampere has none.
    if (std::string(n) != "A100-80GB") {
      EXPECT_NEAR(g->peak_fp8 / g->peak_bf16, 2.0, 0.01) << n;
    }
  }
  EXPECT_EQ(find_gpu("H900"), nullptr);
}

TEST(GpuCatalog, H800DiffersFromH100OnlyInNvlinkAndMemorySize) {
  const GpuSpec& a = *find_gpu("H800");
  const GpuSpec& b = *find_gpu("H100");
  EXPECT_EQ(a.peak_bf16, b.peak_bf16);
  EXPECT_EQ(a.hbm_bandwidth, b.hbm_bandwidth);
  EXPECT_DOUBLE_EQ(gb_per_s(a.nvlink_bandwidth), 200.0);  // ISCA §4.1: 400 GB/s bidirectional
  EXPECT_DOUBLE_EQ(gb_per_s(b.nvlink_bandwidth), 450.0);
}

TEST(ClusterSpec, DefaultsAreTheAchievableFiguresDeepSeekMeasured) {
  ClusterSpec c = default_cluster(*find_gpu("H800"), 256);
  EXPECT_EQ(c.num_gpus(), 2048);
  EXPECT_DOUBLE_EQ(gb_per_s(c.nvlink_achievable), 160.0);  // V3TR §3.2.2
  EXPECT_DOUBLE_EQ(gb_per_s(c.ib_achievable), 40.0);       // ISCA §4.3
  EXPECT_TRUE(validate(c).empty());
}

TEST(ClusterSpec, ValidationNamesEveryBadField) {
  ClusterSpec c = default_cluster(*find_gpu("H800"), 0);
  c.ib_achievable = BytesPerSecond();
  c.fabric.planes = 3;
  c.fabric.oversubscription = 0.5;
  auto e = validate(c);
  auto has = [&](const std::string& s) {
    for (const auto& x : e)
      if (x.find(s) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("nodes:"));
  EXPECT_TRUE(has("ib_GB_per_s:"));
  EXPECT_TRUE(has("fabric/planes: 3 planes do not divide 8"));
  EXPECT_TRUE(has("fabric/oversubscription:"));
}

}  // namespace moesim

namespace moesim {

TEST(ClusterSpec, AGpuWithoutANicIsAnError) {
  ClusterSpec c = default_cluster(*find_gpu("H800"), 2);
  c.nics_per_node = 7;
  auto e = validate(c);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("nics_per_node: 7 NICs for 8 GPUs per node leaves a GPU with no NIC"),
            std::string::npos);
  c.nics_per_node = 8;
  EXPECT_TRUE(validate(c).empty());
}

}  // namespace moesim
