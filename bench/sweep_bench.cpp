// Cost of one sweep point and its parts: copy-and-patch of the base JSON,
// parsing and checking it, the analytic estimate, and the row's JSON line.
#include <benchmark/benchmark.h>

#include "sim/cost/estimate.h"
#include "sim/scenario/scenario_json.h"
#include "sim/sweep/sweep_points.h"
#include "sim/sweep/sweep_row.h"

namespace {

const std::string kSpec = std::string(MOESIM_SOURCE_DIR) + "/scenarios/sweeps/deepseek-v3-ib-ep-schedule.json";

void BM_SweepEvaluatePoint(benchmark::State& state) {
  const moesim::SweepSpec spec = moesim::load_sweep_spec(kSpec);
  const uint64_t n = moesim::enumeration_size(spec);
  uint64_t i = 0;
  for (auto _ : state) {
    moesim::SweepRow r = moesim::evaluate_point(spec, i++ % n);
    benchmark::DoNotOptimize(r.index);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SweepEvaluatePoint);

void BM_SweepPatchAndParse(benchmark::State& state) {
  const moesim::SweepSpec spec = moesim::load_sweep_spec(kSpec);
  const auto values = moesim::point_values(spec, 26);
  for (auto _ : state) {
    moesim::Scenario s =
        moesim::parse_scenario(moesim::point_scenario(spec, values), spec.base_path, spec.base_dir);
    benchmark::DoNotOptimize(s.plan.ep);
  }
}
BENCHMARK(BM_SweepPatchAndParse);

void BM_SweepRowJson(benchmark::State& state) {
  const moesim::SweepSpec spec = moesim::load_sweep_spec(kSpec);
  const moesim::SweepRow r = moesim::evaluate_point(spec, 26);
  for (auto _ : state) {
    std::string line = moesim::row_jsonl(r);
    benchmark::DoNotOptimize(line.data());
  }
}
BENCHMARK(BM_SweepRowJson);

}  // namespace
