// The collectives granularity's closed form for lone activities
// (sim/net/detail/lone_collectives.h) against the plain SimGrid session: the
// same completions at the same instants, whether activities run alone, meet
// one that is already running (which then moves into SimGrid with the bytes
// it has left), or share nothing.
#include "sim/net/detail/lone_collectives.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "sim/net/network.h"
#include "tests/net/net_support.h"

namespace moesim {
namespace {

using testing::probe_cluster;

struct Start {
  double at;
  std::vector<NetworkTransfer> flows;
};

// All-to-all among `gpus`, `mb` MB per pair, with a tail on each.
std::vector<NetworkTransfer> a2a(const std::vector<int>& gpus, double mb) {
  std::vector<NetworkTransfer> t;
  for (int s : gpus)
    for (int d : gpus)
      if (s != d) t.emplace_back(s, d, MB(mb * (1 + (s * 7 + d) % 3)), Seconds(), Microseconds(2));
  return t;
}

// Drives `net` as the engine does: advance to each start time, collecting
// completions, start, and finally run until nothing is left. Returns id ->
// completion time.
std::map<uint32_t, double> drive(NetworkBackend& net, const std::vector<Start>& starts) {
  std::map<uint32_t, double> done;
  double now = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    while (now < starts[i].at) {
      const NetworkStep s = net.advance(SecondsOf(starts[i].at));
      now = seconds(s.time);
      for (ActivityId a : s.completed) done[a.value] = now;
    }
    net.start(ActivityId{static_cast<uint32_t>(i)}, starts[i].flows, SecondsOf(now));
  }
  while (net.busy()) {
    const NetworkStep s = net.advance(std::nullopt);
    for (ActivityId a : s.completed) done[a.value] = seconds(s.time);
  }
  return done;
}

std::vector<std::pair<int, int>> pairs_of(const std::vector<Start>& starts) {
  std::vector<std::pair<int, int>> p;
  for (const Start& s : starts)
    for (const NetworkTransfer& t : s.flows) p.emplace_back(t.src, t.dst);
  return p;
}

TEST(LoneCollectives, SameCompletionsAsEveryCollectiveInSimGrid) {
  const ClusterSpec c = probe_cluster(6, FabricKind::kMultiPlaneFatTree);
  // Group A: GPUs 0-15 (nodes 0-1); group B: GPUs 16-31 (nodes 2-3); a send
  // from A's GPU 3 to B's GPU 19 crosses both groups' NICs.
  std::vector<int> ga, gb;
  for (int g = 0; g < 16; ++g) {
    ga.push_back(g);
    gb.push_back(16 + g);
  }
  const std::vector<Start> starts = {
      {0.0, a2a(ga, 1)},                                 // alone, then met by the send
      {0.0, a2a(gb, 2)},                                 // alone, then met by the send
      {1e-4, {NetworkTransfer(3, 19, MB(8))}},           // meets both running groups
      {2e-4, a2a(ga, 0.5)},                              // meets the send in SimGrid
      {5e-3, a2a(gb, 1)},                                // after everything: alone again
      {5e-3, {NetworkTransfer(40, 41, MB(1))}},          // own node, shares nothing
      {5.2e-3, {NetworkTransfer(40, 41, MB(1))}},        // meets the previous one
  };
  const auto pairs = pairs_of(starts);
  auto plain = make_network_backend(c, {}, pairs, NetworkGranularity::kCollectives, false);
  auto lone = make_network_backend(c, {}, pairs, NetworkGranularity::kCollectives, true);
  const auto want = drive(*plain, starts);
  const auto got = drive(*lone, starts);
  ASSERT_EQ(want.size(), starts.size());
  ASSERT_EQ(got.size(), starts.size());
  for (const auto& [id, t] : want) EXPECT_NEAR(got.at(id), t, 1e-9 * t) << "activity " << id;
  const auto* l = dynamic_cast<const detail::LoneCollectives*>(lone.get());
  ASSERT_NE(l, nullptr);
  EXPECT_GE(l->lone_count(), 2u);     // B's first call, the later ones
  EXPECT_GE(l->simgrid_count(), 3u);  // A's first call, the send, A's second
  EXPECT_EQ(l->lone_count() + l->simgrid_count(), starts.size());
}

TEST(LoneCollectives, ALoneCollectiveEndsAtItsBottleneckLink) {
  // Four 10 MB transfers out of GPU 0's NIC to the other nodes' GPU 0: 40 MB
  // through one 50 GB/s NIC = 800 us, plus the route's latency.
  const ClusterSpec c = probe_cluster(5, FabricKind::kMultiPlaneFatTree);
  std::vector<NetworkTransfer> t;
  for (int n = 1; n <= 4; ++n) t.emplace_back(0, 8 * n, MB(10));
  auto net = make_network_backend(c, {}, pairs_of({{0.0, t}}), NetworkGranularity::kCollectives);
  const auto done = drive(*net, {{0.0, t}});
  EXPECT_NEAR(done.at(0), 800e-6 + 2e-6, 1e-6);
}

}  // namespace
}  // namespace moesim
