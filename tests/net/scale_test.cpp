// Simulator wall time of a flat all-to-all (one flow per GPU pair). Disabled
// by default: run with --gtest_also_run_disabled_tests
// --gtest_filter='*AllToAllWallTime*'; MOESIM_A2A_GPUS picks the size.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "tests/net/net_support.h"

namespace moesim {
namespace {

TEST(NetScale, DISABLED_AllToAllWallTime) {
  const char* env = std::getenv("MOESIM_A2A_GPUS");
  const int n = env ? std::atoi(env) : 64;
  auto net = make_network(testing::probe_cluster(n / 8, FabricKind::kMultiPlaneFatTree));
  const auto flows = testing::uniform_all_to_all(testing::first_gpus(n), MB(64), n);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = net->run(flows);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double last = 0;
  for (const FlowResult& f : r) last = std::max(last, seconds(f.finish));
  std::printf("all-to-all %d GPUs, %zu flows: simulated %.3f ms, wall %.2f s\n", n, flows.size(),
              last * 1e3, wall);
}

}  // namespace
}  // namespace moesim
