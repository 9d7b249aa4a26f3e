// DeepEP's published H800 normal-kernel bandwidths (deepseek-ai/DeepEP
// README, Feb 2025; shared/reference/published-figures.md §9) against the
// flow-level model, computed the way DeepEP's tests compute them: the bytes
// of deepep_counted_bytes over each rank's time, averaged over ranks.
//
// The model has links only: no SM budget (DeepEP's tests use 24 SMs), no
// chunking, no kernel launch or barrier. So it is expected to overestimate;
// the printed error is what remains for the kernel model of issue 3.
#include <gtest/gtest.h>

#include <cstdio>

#include "sim/net/collectives.h"
#include "tests/net/net_support.h"

namespace moesim {
namespace {

struct Published {
  const char* name;
  int ep;
  double dispatch_gb_per_s;
  double combine_gb_per_s;
};

double mean_bandwidth_gb_per_s(const std::vector<Bytes>& counted, double scale,
                               const CollectiveResult& r) {
  double sum = 0;
  for (size_t i = 0; i < counted.size(); ++i)
    sum += bytes(counted[i]) * scale / seconds(r.finished[i]) / 1e9;
  return sum / static_cast<double>(counted.size());
}

TEST(DeepEp, PublishedH800NormalKernels) {
  for (const Published& p : {Published{"intranode EP8 (NVLink)", 8, 153, 158},
                             Published{"internode EP16 (RDMA)", 16, 43, 43}}) {
    const int nodes = (p.ep + 7) / 8;
    ClusterSpec c = default_cluster(*find_gpu("H800"), nodes);
    auto net = make_network(c);
    // DeepEP tests: 4096 tokens, hidden 7168, top-8 of (256 / ep) x ep
    // experts; internode: one group per node, top min(nodes, 4) groups.
    MoeSpec moe;
    moe.num_routed_experts = 256 / p.ep * p.ep;
    moe.top_k = 8;
    moe.num_expert_groups = nodes;
    moe.topk_groups = std::min(nodes, 4);
    EpCollectiveSpec spec;
    const EpTraffic t = route_tokens(moe, p.ep, 8, 4096, RoutingSpec{});
    const std::vector<Bytes> counted = deepep_counted_bytes(t, spec.hidden);
    const CollectiveResult d = run_collective(*net, ep_dispatch_flows(t, spec), p.ep);
    const CollectiveResult cb = run_collective(*net, ep_combine_flows(t, spec), p.ep);
    const double dispatch =
        mean_bandwidth_gb_per_s(counted, spec.dispatch_bytes_per_element / 2, d);
    const double combine = mean_bandwidth_gb_per_s(counted, 1.0, cb);
    std::printf(
        "%s: dispatch %.1f GB/s (published %.0f, %+.0f%%), combine %.1f GB/s "
        "(published %.0f, %+.0f%%)\n",
        p.name, dispatch, p.dispatch_gb_per_s, 100 * (dispatch / p.dispatch_gb_per_s - 1), combine,
        p.combine_gb_per_s, 100 * (combine / p.combine_gb_per_s - 1));
    // A links-only model must not be slower than the real kernels, and should
    // be within a factor of two of them.
    EXPECT_GT(dispatch, 0.9 * p.dispatch_gb_per_s);
    EXPECT_LT(dispatch, 2.0 * p.dispatch_gb_per_s);
    EXPECT_GT(combine, 0.9 * p.combine_gb_per_s);
    EXPECT_LT(combine, 2.0 * p.combine_gb_per_s);
  }
}

}  // namespace
}  // namespace moesim
