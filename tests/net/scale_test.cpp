// How the simulation scales, and the proof that its one shortcut is exact.
//
// The adapter simulates each phase as parts that share no link (max-min
// sharing decomposes over them); SplitPartsEqualOneJointRun holds that
// against one joint run of the same flows. The DISABLED_ tests print wall
// time and peak memory against GPU count; run them with
//   net_test --gtest_also_run_disabled_tests --gtest_filter='NetScale.DISABLED_*'
// (MOESIM_SCALE_MAX_GPUS caps the largest size, default 16384;
// MOESIM_A2A_GPUS sizes the flat all-to-all, default 64).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "sim/net/collectives.h"
#include "sim/net/detail/simgrid_adapter.h"
#include "sim/net/nccl_collectives.h"
#include "tests/net/net_support.h"

namespace moesim {
namespace {

MoeSpec deepseek_v3_moe() {  // V3TR §4.2
  MoeSpec m;
  m.num_routed_experts = 256;
  m.top_k = 8;
  m.num_expert_groups = 8;
  m.topk_groups = 4;
  return m;
}

// Dispatch then combine of `groups` EP64 groups at once, all with the same
// routing (one seed: drawing 4096 x 64 tokens per group is what would
// dominate otherwise, and the network does not care).
std::vector<std::vector<Flow>> ep64_groups(int groups) {
  const EpTraffic t = route_tokens(deepseek_v3_moe(), 64, 8, 4096, RoutingSpec{});
  std::vector<std::vector<Flow>> one = ep_dispatch_flows(t, EpCollectiveSpec{});
  one.push_back(ep_combine_flows(t, EpCollectiveSpec{}).front());
  return replicate_groups(one, 64, groups);
}

std::vector<detail::SimFlow> to_sim(const std::vector<std::vector<Flow>>& phases) {
  std::vector<detail::SimFlow> sim;
  for (size_t p = 0; p < phases.size(); ++p)
    for (const Flow& f : phases[p])
      sim.push_back({f.src, f.dst, bytes(f.bytes), static_cast<int>(p), seconds(f.delay)});
  return sim;
}

TEST(NetScale, SplitPartsEqualOneJointRun) {
  // Two EP64 groups on 16 nodes: NVLink ties a node's GPUs, IB a group's
  // nodes; the groups share no link (a plane's 16 GPUs sit on one leaf).
  const Topology topo(testing::probe_cluster(16, FabricKind::kMultiPlaneFatTree));
  const auto phases = ep64_groups(2);
  const auto sim = to_sim(phases);
  const auto split = detail::simulate_flows(topo, sim, 2, true);
  const auto joint = detail::simulate_flows(topo, sim, 2, false);
  ASSERT_EQ(split.finish_s.size(), sim.size());
  double worst = 0;
  for (size_t i = 0; i < sim.size(); ++i)
    worst = std::max(worst, std::fabs(split.finish_s[i] / joint.finish_s[i] - 1));
  std::printf("%zu flows in 2 phases: largest relative difference split vs joint %.2e\n",
              sim.size(), worst);
  EXPECT_LT(worst, 1e-9);
  for (int p = 0; p < 2; ++p) EXPECT_NEAR(split.phase_end_s[p] / joint.phase_end_s[p], 1.0, 1e-9);
  // The same traffic on each group: group 1 ends when group 0 does.
  const size_t half = phases[0].size() / 2;
  EXPECT_NEAR(split.finish_s[half] / split.finish_s[0], 1.0, 1e-9);
}

double peak_child_mb() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return u.ru_maxrss / 1024.0;  // Linux: kilobytes
}

double peak_self_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

TEST(NetScale, DISABLED_WallTimeAndMemoryAgainstGpuCount) {
  const char* env = std::getenv("MOESIM_SCALE_MAX_GPUS");
  const int max_gpus = env ? std::atoi(env) : 16384;
  // H800 links on DeepSeek's multi-plane fat-tree (8 planes of 64-port
  // switches: 16,384 GPUs at most).
  std::printf("%-34s %6s %9s %10s %8s %12s %12s\n", "workload", "GPUs", "flows", "simulated",
              "wall_s", "child_MB", "parent_MB");
  for (int n = 64; n <= max_gpus; n *= 2) {
    const ClusterSpec c = default_cluster(*find_gpu("H800"), n / 8);
    const auto net = make_network(c);
    {
      const auto phases = ep64_groups(n / 64);
      size_t flows = 0;
      for (const auto& p : phases) flows += p.size();
      const auto t0 = std::chrono::steady_clock::now();
      const NetworkRun r = net->run_phases(phases);
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("%-34s %6d %9zu %8.3fms %8.2f %12.0f %12.0f\n",
                  "EP64 dispatch+combine, all groups", n, flows, seconds(r.makespan()) * 1e3, wall,
                  peak_child_mb(), peak_self_mb());
    }
    {
      std::vector<int> gpus(n);
      for (int i = 0; i < n; ++i) gpus[i] = i;
      const auto t0 = std::chrono::steady_clock::now();
      const NcclResult r = run_nccl(*net, NcclCollective::kAllReduceRing, gpus, GB(1));
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("%-34s %6d %9zu %8.3fms %8.2f %12.0f %12.0f\n", "ring all-reduce 1 GB (1 step)",
                  n, r.flows_per_step, seconds(r.time) * 1e3, wall, peak_child_mb(),
                  peak_self_mb());
    }
    std::fflush(stdout);
  }
}

TEST(NetScale, DISABLED_AllToAllWallTime) {
  // A flat all-to-all is one coupled part of n(n-1) flows: the O(F^2) case.
  const char* env = std::getenv("MOESIM_A2A_GPUS");
  const int n = env ? std::atoi(env) : 64;
  auto net = make_network(testing::probe_cluster(n / 8, FabricKind::kMultiPlaneFatTree));
  const auto flows = testing::uniform_all_to_all(testing::first_gpus(n), MB(64), n);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = net->run(flows);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double last = 0;
  for (const FlowResult& f : r) last = std::max(last, seconds(f.finish));
  std::printf("all-to-all %d GPUs, %zu flows: simulated %.3f ms, wall %.2f s, child %.0f MB\n", n,
              flows.size(), last * 1e3, wall, peak_child_mb());
}

}  // namespace
}  // namespace moesim
