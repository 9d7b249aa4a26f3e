#include "sim/net/collectives.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "sim/cost/comm_model.h"
#include "tests/net/net_support.h"

namespace moesim {
namespace {

using testing::first_gpus;
using testing::probe_cluster;
using testing::uniform_all_to_all;

MoeSpec deepseek_v3_moe() {  // V3TR §4.2 / HF config of DeepSeek-V3
  MoeSpec m;
  m.num_routed_experts = 256;
  m.top_k = 8;
  m.num_expert_groups = 8;
  m.topk_groups = 4;
  return m;
}

double makespan_s(const NetworkSimulator& net, const std::vector<Flow>& flows) {
  double t = 0;
  for (const FlowResult& r : net.run(flows)) t = std::max(t, seconds(r.finish));
  return t;
}

TEST(Collectives, MultiPlaneAndRailOptimizedGiveNearlyTheSameAllToAll) {
  for (int nodes : {4, 8, 16}) {
    const int n = nodes * 8;
    const auto flows = uniform_all_to_all(first_gpus(n), MB(4), n);
    const double mp =
        makespan_s(*make_network(probe_cluster(nodes, FabricKind::kMultiPlaneFatTree)), flows);
    const double rail =
        makespan_s(*make_network(probe_cluster(nodes, FabricKind::kRailOptimized)), flows);
    // Both are bound by the NICs: (n - 8) x 4 MB at 50 GB/s.
    const double nic_bound = (n - 8) * 4e6 / 50e9;
    std::printf("%3d GPUs: multi-plane %.3f ms, rail %.3f ms, NIC bound %.3f ms\n", n, mp * 1e3,
                rail * 1e3, nic_bound * 1e3);
    EXPECT_NEAR(mp / rail, 1.0, 0.03) << n;
    EXPECT_NEAR(rail / nic_bound, 1.0, 0.03) << n;
  }
}

TEST(Collectives, OversubscriptionTwoHalvesCrossLeafBandwidth) {
  // Every GPU of leaf 0 exchanges 8 MB with every GPU of leaf 1; time per
  // byte each GPU sends is 1 / NIC bandwidth when non-blocking and 2 / NIC
  // bandwidth when the leaf up-links are halved.
  for (double o : {1.0, 2.0}) {
    ClusterSpec c = probe_cluster(16, FabricKind::kFatTree);
    c.fabric.oversubscription = o;
    auto net = make_network(c);
    const int per_leaf = net->topology().gpus_per_leaf();
    std::vector<Flow> flows;
    for (int a = 0; a < per_leaf; ++a)
      for (int b = per_leaf; b < 2 * per_leaf; ++b) {
        flows.push_back({a, b, MB(8), 0});
        flows.push_back({b, a, MB(8), 0});
      }
    const double t = makespan_s(*net, flows);
    const double nic_time = per_leaf * 8e6 / 50e9;
    std::printf("oversubscription %.0f: %d GPUs per leaf, %.3f ms = %.3f x NIC time\n", o, per_leaf,
                t * 1e3, t / nic_time);
    EXPECT_NEAR(t / nic_time, o, 0.02 * o);
  }
}

TEST(Collectives, ZipfRoutingSlowsTheHotRankInProportionToItsVolume) {
  // EP8 within one node: a rank's dispatch is bound by the NVLink port that
  // receives its tokens from the 7 others.
  ClusterSpec c = default_cluster(*find_gpu("H800"), 1);
  auto net = make_network(c);
  MoeSpec moe = deepseek_v3_moe();
  moe.num_expert_groups = 1;
  moe.topk_groups = 1;
  EpCollectiveSpec spec;
  const double bytes_per_token = spec.hidden * spec.dispatch_bytes_per_element;
  double uniform_time = 0, uniform_volume = 0;
  for (ExpertPopularity p : {ExpertPopularity::kUniform, ExpertPopularity::kZipf}) {
    RoutingSpec r;
    r.popularity = p;
    r.zipf_exponent = 0.8;
    const EpTraffic t = route_tokens(moe, 8, 8, 4096, r);
    const CollectiveResult res = run_collective(*net, ep_dispatch_flows(t, spec), 8);
    std::vector<double> in_volume(8, 0);
    for (int d = 0; d < 8; ++d)
      for (int s = 0; s < 8; ++s)
        if (s != d) in_volume[d] += t.to_rank(s, d) * bytes_per_token;
    const int hot =
        static_cast<int>(std::max_element(in_volume.begin(), in_volume.end()) - in_volume.begin());
    const double bound = in_volume[hot] / bytes_per_s(c.nvlink_achievable);
    std::printf("%s: slowest rank %d at %.3f ms, its NVLink in-port bound %.3f ms\n",
                p == ExpertPopularity::kZipf ? "zipf 0.8" : "uniform", res.slowest_rank,
                seconds(res.makespan) * 1e3, bound * 1e3);
    EXPECT_EQ(res.slowest_rank, hot);
    EXPECT_NEAR(seconds(res.received[hot]) / bound, 1.0, 0.02);
    if (p == ExpertPopularity::kUniform) {
      uniform_time = seconds(res.makespan);
      uniform_volume = in_volume[hot];
    } else {
      EXPECT_EQ(hot, 0);  // the hottest experts live on rank 0
      EXPECT_GT(in_volume[hot], 1.3 * uniform_volume);
      EXPECT_NEAR((seconds(res.makespan) / uniform_time) / (in_volume[hot] / uniform_volume), 1.0,
                  0.03);
      // Cold ranks receive sooner than the hot one.
      EXPECT_LT(res.received[7], res.received[0] * 0.8);
    }
  }
}

TEST(Collectives, UniformDispatchMatchesTheAnalyticFanOut) {
  // EP64 over 8 nodes, DeepSeek-V3 routing (4 of 8 node groups): no link is
  // shared beyond what the closed form counts, so both should agree.
  ModelSpec m;
  m.hidden = 7168;
  m.moe = deepseek_v3_moe();
  ClusterSpec c = default_cluster(*find_gpu("H800"), 8);
  auto net = make_network(c);
  EpCollectiveSpec spec;
  const EpTraffic t = route_tokens(m.moe, 64, 8, 4096, RoutingSpec{});
  const CollectiveResult res = run_collective(*net, ep_dispatch_flows(t, spec), 64);
  const Seconds analytic =
      ep_transfer_time(ep_fanout(m, c, 64), 4096, m.hidden, spec.dispatch_bytes_per_element, c);
  std::printf("EP64 dispatch: simulated %.3f ms, analytic %.3f ms\n", seconds(res.makespan) * 1e3,
              seconds(analytic) * 1e3);
  EXPECT_NEAR(seconds(res.makespan) / seconds(analytic), 1.0, 0.03);
  // Store-and-forward can only be slower.
  spec.schedule = EpSchedule::kStoreAndForward;
  const CollectiveResult saf = run_collective(*net, ep_dispatch_flows(t, spec), 64);
  EXPECT_GT(saf.makespan, res.makespan);
}

TEST(Collectives, CombineMovesTheDispatchBytesBackInBf16) {
  const EpTraffic t = route_tokens(deepseek_v3_moe(), 16, 8, 512, RoutingSpec{});
  EpCollectiveSpec spec;
  double dispatch = 0, combine = 0;
  for (const auto& phase : ep_dispatch_flows(t, spec))
    for (const Flow& f : phase) dispatch += bytes(f.bytes);
  for (const auto& phase : ep_combine_flows(t, spec))
    for (const Flow& f : phase) combine += bytes(f.bytes);
  EXPECT_NEAR(combine / dispatch, 2.0 / spec.dispatch_bytes_per_element, 1e-12);
}

TEST(Collectives, RoutingIsSeededAndGroupLimited) {
  const MoeSpec moe = deepseek_v3_moe();
  const EpTraffic a = route_tokens(moe, 64, 8, 256, RoutingSpec{});
  const EpTraffic b = route_tokens(moe, 64, 8, 256, RoutingSpec{});
  EXPECT_EQ(a.rank_tokens, b.rank_tokens);
  RoutingSpec other;
  other.seed = 2;
  EXPECT_NE(route_tokens(moe, 64, 8, 256, other).rank_tokens, a.rank_tokens);
  int64_t routed = 0;
  for (int64_t e : a.expert_tokens) routed += e;
  EXPECT_EQ(routed, int64_t{64} * 256 * 8);
  // Node groups coincide with nodes: each token reaches at most 4 of 8 nodes.
  for (int s = 0; s < 64; ++s) {
    int64_t node_hits = 0;
    for (int n = 0; n < 8; ++n) node_hits += a.to_node(s, n);
    EXPECT_LE(node_hits, 4 * 256);
    EXPECT_GE(node_hits, 256);
  }
}

}  // namespace
}  // namespace moesim
