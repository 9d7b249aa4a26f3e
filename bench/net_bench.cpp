// Simulator speed of the network layer against GPU count (issue 3): every
// EP64 group of a job doing one dispatch + combine at once, one NCCL ring
// all-reduce, and the DeepEP kernel model on one EP64 group. Wall time is
// real time (the simulation runs in a forked child); the peak resident memory
// of the children so far is a counter. Run, e.g.:
//   build/bench/moesim_bench --benchmark_filter=Net
// tests/net/scale_test.cpp prints the same table as a disabled test.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <vector>

#include "bench/peak_memory.h"
#include "sim/net/collectives.h"
#include "sim/net/deepep_model.h"
#include "sim/net/nccl_collectives.h"
#include "sim/net/network.h"

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

ClusterSpec h800_gpus(int gpus) { return default_cluster(*find_gpu("H800"), gpus / 8); }

void BM_NetEp64GroupsDispatchCombine(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto net = make_network(h800_gpus(n));
  // One routing for all groups: drawing every group's tokens would dominate.
  const EpTraffic t = route_tokens(deepseek_v3_moe(), 64, 8, 4096, RoutingSpec{});
  std::vector<std::vector<Flow>> one = ep_dispatch_flows(t, EpCollectiveSpec{});
  one.push_back(ep_combine_flows(t, EpCollectiveSpec{}).front());
  const auto phases = replicate_groups(one, 64, n / 64);
  size_t flows = 0;
  for (const auto& p : phases) flows += p.size();
  double simulated = 0;
  for (auto _ : state) simulated = seconds(net->run_phases(phases).makespan());
  state.counters["flows"] = static_cast<double>(flows);
  state.counters["simulated_ms"] = simulated * 1e3;
  state.counters["child_peak_MB"] = peak_mb(RUSAGE_CHILDREN);
}
BENCHMARK(BM_NetEp64GroupsDispatchCombine)
    ->RangeMultiplier(2)
    ->Range(64, 16384)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_NetRingAllReduce(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto net = make_network(h800_gpus(n));
  std::vector<int> gpus(n);
  for (int i = 0; i < n; ++i) gpus[i] = i;
  NcclResult r;
  for (auto _ : state) r = run_nccl(*net, NcclCollective::kAllReduceRing, gpus, GB(1));
  state.counters["flows_per_step"] = static_cast<double>(r.flows_per_step);
  state.counters["busbw_GB_per_s"] = gb_per_s(r.busbw);
  state.counters["child_peak_MB"] = peak_mb(RUSAGE_CHILDREN);
}
BENCHMARK(BM_NetRingAllReduce)
    ->RangeMultiplier(2)
    ->Range(64, 16384)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_NetDeepEpKernelEp64(benchmark::State& state) {
  const EpTraffic t = deepep_test_traffic(64, 8, 4096, RoutingSpec{});
  const EpDirection d = EpDirection::kDispatch;
  double bw = 0;
  for (auto _ : state)
    bw = gb_per_s(
        run_deepep(h800_gpus(64), t, d, EpCollectiveSpec{}, DeepEpKernel{}, deepep_config(d, 64))
            .bottleneck_bandwidth);
  state.counters["bottleneck_GB_per_s"] = bw;
}
BENCHMARK(BM_NetDeepEpKernelEp64)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace moesim
