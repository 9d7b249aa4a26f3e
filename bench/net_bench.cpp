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
#include "sim/net/max_min_fluid.h"
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

// `moesim collective` on its fast model (sim/net/max_min_fluid.h) against
// GPU count, 8 ... 16,384 on H800 nodes of the default multi-plane fat-tree
// (issue 20; the table in docs/network.md): a 64 MiB all-to-all, a 1 GB ring
// all-reduce, and DeepEP dispatch and combine of every EP group at once
// (EP min(n, 64), DeepEP's test setting, one routing for every group). Run:
//   build/bench/moesim_bench --benchmark_filter=Collective
void BM_CollectiveFastNccl(benchmark::State& state, NcclCollective k, Bytes size) {
  const int n = static_cast<int>(state.range(0));
  const ClusterSpec c = h800_gpus(std::max(n, 8));
  std::vector<int> gpus(n);
  for (int i = 0; i < n; ++i) gpus[i] = i;
  NcclResult r;
  for (auto _ : state) {
    const Topology topo(c);
    r = run_nccl_fast(topo, k, gpus, size);
  }
  state.counters["simulated_us"] = seconds(r.time) * 1e6;
  state.counters["busbw_GB_per_s"] = gb_per_s(r.busbw);
  state.counters["symmetry_copies"] = r.symmetry_copies;
}
BENCHMARK_CAPTURE(BM_CollectiveFastNccl, AllToAll64MiB, NcclCollective::kAllToAll, MiB(64))
    ->RangeMultiplier(2)
    ->Range(8, 16384)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CollectiveFastNccl, AllReduceRing1GB, NcclCollective::kAllReduceRing, GB(1))
    ->RangeMultiplier(2)
    ->Range(8, 16384)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_CollectiveFastDeepEp(benchmark::State& state, EpDirection d) {
  const int n = static_cast<int>(state.range(0));
  const int ep = std::min(n, 64);
  const ClusterSpec c = h800_gpus(n);
  // The routing is drawn once, outside the timing: this times the network.
  const EpTraffic t = deepep_test_traffic(ep, 8, 4096, RoutingSpec{});
  DeepEpResult r;
  for (auto _ : state)
    r = run_deepep(c, t, d, EpCollectiveSpec{}, DeepEpKernel{}, deepep_config(d, ep),
                   NetworkModel::kFast, n / ep);
  state.counters["simulated_us"] = seconds(r.time) * 1e6;
  state.counters["bottleneck_GB_per_s"] = gb_per_s(r.bottleneck_bandwidth);
}
BENCHMARK_CAPTURE(BM_CollectiveFastDeepEp, Dispatch, EpDirection::kDispatch)
    ->RangeMultiplier(2)
    ->Range(8, 16384)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CollectiveFastDeepEp, Combine, EpDirection::kCombine)
    ->RangeMultiplier(2)
    ->Range(8, 16384)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The per-flow reference on the same all-to-all, where it still runs.
void BM_CollectivePerFlowAllToAll(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto net = make_network(h800_gpus(n));
  std::vector<int> gpus(n);
  for (int i = 0; i < n; ++i) gpus[i] = i;
  NcclResult r;
  for (auto _ : state) r = run_nccl(*net, NcclCollective::kAllToAll, gpus, MiB(64));
  state.counters["simulated_us"] = seconds(r.time) * 1e6;
}
BENCHMARK(BM_CollectivePerFlowAllToAll)
    ->RangeMultiplier(2)
    ->Range(8, 128)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace moesim
