// Speed of the analytic fidelity: users sweep thousands of scenarios, so one
// evaluation must cost microseconds. Scenario files are read once, outside the
// timed loop, except in BM_LoadAndEstimateHeadline.
#include <benchmark/benchmark.h>

#include "sim/cost/estimate.h"
#include "sim/model/accounting.h"
#include "sim/report/report.h"
#include "sim/scenario/scenario_json.h"

namespace {

const std::string kHeadline =
    std::string(MOESIM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xH800.json";

void BM_AnalyticEstimateHeadline(benchmark::State& state) {
  const moesim::Scenario s = moesim::load_scenario(kHeadline);
  for (auto _ : state) {
    moesim::Estimate e = moesim::estimate(s);
    benchmark::DoNotOptimize(e.step_time);
  }
  state.SetItemsProcessed(state.iterations());  // scenarios per second
}
BENCHMARK(BM_AnalyticEstimateHeadline);

void BM_AnalyticEstimate1F1B(benchmark::State& state) {
  moesim::Scenario s = moesim::load_scenario(kHeadline);
  s.plan.schedule = moesim::ScheduleKind::k1F1B;
  for (auto _ : state) {
    moesim::Estimate e = moesim::estimate(s);
    benchmark::DoNotOptimize(e.step_time);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AnalyticEstimate1F1B);

void BM_ModelSummaryDeepSeekV3(benchmark::State& state) {
  const moesim::Scenario s = moesim::load_scenario(kHeadline);
  for (auto _ : state) {
    moesim::ModelSummary m = moesim::summarize(s.model, 4096);
    benchmark::DoNotOptimize(m.params_total);
  }
}
BENCHMARK(BM_ModelSummaryDeepSeekV3);

void BM_LoadAndEstimateHeadline(benchmark::State& state) {
  for (auto _ : state) {
    const moesim::Scenario s = moesim::load_scenario(kHeadline);
    moesim::Estimate e = moesim::estimate(s);
    benchmark::DoNotOptimize(e.step_time);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LoadAndEstimateHeadline);

void BM_RenderJsonReport(benchmark::State& state) {
  const moesim::Scenario s = moesim::load_scenario(kHeadline);
  const moesim::Estimate e = moesim::estimate(s);
  for (auto _ : state) {
    std::string r = moesim::render_estimate(s, e, moesim::ReportFormat::kJson);
    benchmark::DoNotOptimize(r.data());
  }
}
BENCHMARK(BM_RenderJsonReport);

}  // namespace
