// The fast model (sim/net/max_min_fluid.h) against the per-flow SimGrid
// reference on three-tier Clos fabrics: switches of 8 ports, so that pods
// form at 64-128 GPUs and collectives cross pod up-links (non-blocking and
// oversubscribed), on each fabric kind. Within 2 %, as on two layers
// (max_min_fluid_test.cpp; issue 20).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/net/deepep_model.h"
#include "sim/net/max_min_fluid.h"
#include "sim/net/nccl_collectives.h"
#include "tests/net/net_support.h"

namespace moesim {
namespace {

using testing::first_gpus;

constexpr double kTolerance = 0.02;

struct Case {
  const char* name;
  FabricKind kind;
  int planes;          // multi-plane only
  double aggregation;  // aggregation oversubscription
  int gpus;
};

// H800 links (160 GB/s NVLink, 40 GB/s NICs) on 8-port switches.
ClusterSpec cluster(const Case& k) {
  ClusterSpec c = default_cluster(*find_gpu("H800"), k.gpus / 8);
  c.fabric.kind = k.kind;
  c.fabric.planes = k.planes;
  c.fabric.switch_ports = 8;
  c.fabric.aggregation_oversubscription = k.aggregation;
  return c;
}

double rel(Seconds fast, Seconds ref) { return seconds(fast) / seconds(ref) - 1; }

TEST(ThreeTierFluid, FastModelIsWithinTwoPercentOfThePerFlowReference) {
  const std::vector<Case> cases = {
      {"fat-tree, 4 pods", FabricKind::kFatTree, 8, 1.0, 64},
      {"fat-tree, 8 pods", FabricKind::kFatTree, 8, 1.0, 128},
      {"fat-tree 3:1 agg, 3 pods", FabricKind::kFatTree, 8, 3.0, 64},
      {"multi-plane x2, 8 pods", FabricKind::kMultiPlaneFatTree, 2, 1.0, 128},
      {"rail-optimized, 4 pods", FabricKind::kRailOptimized, 8, 1.0, 64},
  };
  double worst = 0;
  for (const Case& k : cases) {
    const ClusterSpec c = cluster(k);
    ASSERT_TRUE(network_problems(c).empty()) << k.name << ": " << network_problems(c).to_string();
    const Topology topo(c);
    ASSERT_GT(topo.num_pods(), 1) << k.name;
    const auto ref = make_network(c);
    for (const std::string& name : nccl_collective_names()) {
      NcclCollective kind{};
      ASSERT_TRUE(nccl_collective_from_string(name, &kind));
      const NcclResult a = run_nccl(*ref, kind, first_gpus(k.gpus), MB(64));
      const NcclResult b = run_nccl_fast(topo, kind, first_gpus(k.gpus), MB(64));
      const double e = rel(b.time, a.time);
      worst = std::max(worst, std::fabs(e));
      std::printf("%-26s %4d %-16s per flow %9.2f us  fast %9.2f us  %+8.4f %%\n", k.name, k.gpus,
                  name.c_str(), seconds(a.time) * 1e6, seconds(b.time) * 1e6, 100 * e);
      EXPECT_LE(std::fabs(e), kTolerance) << k.name << " " << name;
      for (int i = 0; i < k.gpus; ++i) {
        const double er = std::fabs(rel(b.rank_time[i], a.rank_time[i]));
        worst = std::max(worst, er);
        EXPECT_LE(er, kTolerance) << k.name << " " << name << " rank " << i;
      }
    }
  }
  std::printf("largest difference %.3e %%\n", 100 * worst);
}

TEST(ThreeTierFluid, DeepEpCallsAcrossPodsMatchThePerFlowReference) {
  const Case k{"fat-tree 3:1 agg, 3 pods", FabricKind::kFatTree, 8, 3.0, 64};
  const ClusterSpec c = cluster(k);
  RoutingSpec r;
  r.popularity = ExpertPopularity::kZipf;
  r.zipf_exponent = 0.8;
  const EpTraffic t = deepep_test_traffic(k.gpus, 8, 4096, r);
  for (EpDirection d : {EpDirection::kDispatch, EpDirection::kCombine}) {
    const DeepEpConfig config = deepep_config(d, k.gpus);
    const DeepEpResult a = run_deepep(c, t, d, EpCollectiveSpec{}, DeepEpKernel{}, config);
    const DeepEpResult b =
        run_deepep(c, t, d, EpCollectiveSpec{}, DeepEpKernel{}, config, NetworkModel::kFast);
    std::printf("%s %s: per flow %.2f us, fast %.2f us\n", k.name,
                d == EpDirection::kDispatch ? "dispatch" : "combine", seconds(a.time) * 1e6,
                seconds(b.time) * 1e6);
    EXPECT_LE(std::fabs(rel(b.time, a.time)), kTolerance);
    for (int i = 0; i < k.gpus; ++i)
      EXPECT_LE(std::fabs(rel(b.kernel_time[i], a.kernel_time[i])), kTolerance) << "rank " << i;
  }
}

}  // namespace
}  // namespace moesim
