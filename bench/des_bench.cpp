// The des fidelity's own speed (issue 4): the headline step (DeepSeek-V3,
// 2,048 H800) and the same model and plan against simulated GPU count, 64 to
// 16,384 (weak scaling: 120 micro-batches of 4K tokens per DP rank; below
// 1,024 GPUs fewer pipeline ranks, EP up to 64). Wall time is real time (the
// SimGrid network runs in a forked child, in lock step with the engine, so
// one core is busy at a time); peak resident memory of this process and of
// its children are counters. Run, e.g.:
//   taskset -c 0 build/bench/moesim_bench --benchmark_filter=Des
//     --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
// (one line).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <string>

#include "bench/peak_memory.h"
#include "sim/scenario/scenario_json.h"
#include "sim/step/des_step.h"

namespace moesim {
namespace {

const std::string kHeadline =
    std::string(MOESIM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xH800.json";

// The headline's model and plan on `gpus` H800s.
Scenario at_gpus(Scenario s, int gpus) {
  const int pp = std::clamp(gpus / 64, 2, 16);
  s.cluster.num_nodes = gpus / s.cluster.gpus_per_node;
  s.plan.pp = pp;
  s.plan.dp = gpus / pp;
  s.plan.ep = std::min(64, gpus / pp);
  if (pp != 16) s.plan.stage_layers.clear();
  BatchSchedule& b = s.training.phases.front().batch;
  b.sequences = 120 * s.plan.dp;  // 120 micro-batches of one sequence per DP rank
  b.ramp_from = b.sequences / 5;
  validate_scenario(s).throw_if_any();
  return s;
}

void run(benchmark::State& state, const Scenario& s) {
  const Estimate e = estimate(s);
  DesStep d;
  for (auto _ : state) d = simulate_step(s, e);
  state.counters["step_s"] = seconds(d.step_time());
  state.counters["activities"] = static_cast<double>(d.network_activities);
  state.counters["in_simgrid"] = static_cast<double>(d.network_in_simgrid);
  state.counters["peak_MB"] = peak_mb(RUSAGE_SELF);
  state.counters["child_peak_MB"] = peak_mb(RUSAGE_CHILDREN);
}

void BM_DesStepHeadline(benchmark::State& state) { run(state, load_scenario(kHeadline)); }
BENCHMARK(BM_DesStepHeadline)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_DesStepGpus(benchmark::State& state) {
  run(state, at_gpus(load_scenario(kHeadline), static_cast<int>(state.range(0))));
}
BENCHMARK(BM_DesStepGpus)
    ->RangeMultiplier(2)
    ->Range(64, 16384)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace moesim
