// The des fidelity against the analytic one, against itself, and its network
// granularities against each other.
#include "sim/step/des_step.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "sim/report/report.h"
#include "sim/report/step_timeline.h"
#include "sim/scenario/scenario_json.h"
#include "sim/step/des_trace.h"

namespace moesim {
namespace {

const char* const kHeadline = "scenarios/deepseek-v3-pretrain-2048xH800.json";

// The headline's des step, simulated once for the tests that read it (it
// takes about 6 s on the development machine).
const DesStep& headline_step() {
  static const DesStep d = [] {
    const Scenario s = load_scenario(kHeadline);
    return simulate_step(s, estimate(s));
  }();
  return d;
}

TEST(DesStep, HeadlineIsCloseToTheAnalyticStepAndExposesLoneChunksCommunication) {
  const Scenario s = load_scenario(kHeadline);
  const Estimate a = estimate(s);
  const DesStep& d = headline_step();
  // The analytic model list-schedules each F&B pair and runs the instruction
  // lists with closed-form times; the des step runs them op by op on the
  // network, kernels slowed only while communication holds SMs. Same op
  // costs: within 5% (issue 15; the README and validation/ state the figures).
  EXPECT_NEAR(d.step_time() / a.step_time, 1.0, 0.05);
  EXPECT_GT(d.exposed_comm, Seconds());
  EXPECT_GT(d.network_activities, 10000u);
  EXPECT_LE(d.compute_busy + d.exposed_comm, d.run.makespan);
}

// Where the schedule overlaps nothing (no DualPipe pairs), the analytic model
// and the des step price the same ops and communication the same way; they
// differ only by the bubble formula against the executed schedule and by
// sends that overlap. The issue asks for 5%.
TEST(DesStep, AnalyticAndDesAgreeWithin5PercentWhereNothingOverlaps) {
  for (const char* f : {"scenarios/deepseek-v3-pretrain-2048xH800-1f1b.json",
                        "scenarios/deepseek-v3-pretrain-2048xH800-zb1p.json",
                        "scenarios/llama-3.1-405b-pretrain-2048xH100.json",
                        "scenarios/mixtral-8x7b-pretrain-64xH100.json"}) {
    const Scenario s = load_scenario(f);
    const Estimate a = estimate(s);
    const Estimate d = des_estimate(s);
    std::printf("%s: analytic %.3f s, des %.3f s (%+.1f%%)\n", f, seconds(a.step_time),
                seconds(d.step_time), 100 * (d.step_time / a.step_time - 1));
    EXPECT_NEAR(d.step_time / a.step_time, 1.0, 0.05) << f;
    ASSERT_TRUE(d.analytic_step_time.has_value());
    EXPECT_EQ(*d.analytic_step_time, a.step_time);
  }
}

// The des report sets the analytic figures beside its own and says why the
// headline differs: the exposed EP communication that DualPipe's formula hides.
TEST(DesStep, ReportSaysWhyDesAndAnalyticDiffer) {
  const Scenario s = load_scenario(kHeadline);
  Estimate e = estimate(s);
  EXPECT_EQ(render_estimate(s, e, ReportFormat::kText).find("Why des and analytic differ"),
            std::string::npos);
  const DesStep& d = headline_step();
  e.analytic_step_time = e.step_time;
  e.analytic_breakdown = e.breakdown;
  e.step_time = d.step_time();
  e.breakdown.exposed_comm = d.exposed_comm;
  const std::string text = render_estimate(s, e, ReportFormat::kText);
  EXPECT_NE(text.find("Why des and analytic differ"), std::string::npos);
  EXPECT_NE(text.find("exposed communication: EP calls"), std::string::npos);
  EXPECT_TRUE(estimate_json(s, e).contains("analytic_breakdown_s"));
}

TEST(DesStep, SameScenarioGivesIdenticalReports) {
  const Scenario s = load_scenario("scenarios/mixtral-8x7b-pretrain-64xH100.json");
  EXPECT_EQ(estimate_json(s, des_estimate(s)).dump(), estimate_json(s, des_estimate(s)).dump());
}

// Mixtral on 4 pipeline ranks under DualPipe, EP8 inside each node: a step
// small enough to simulate per flow.
Scenario small_dualpipe() {
  Scenario s = load_scenario("scenarios/mixtral-8x7b-pretrain-64xH100.json");
  s.plan.pp = 4;
  s.plan.dp = 16;
  s.plan.schedule = ScheduleKind::kDualPipe;
  return s;
}

// A small DualPipe step per flow and as one parallel task per collective. Per flow is the
// reference; at 2,048 GPUs it takes far too long (SimGrid 3.32's one-sided
// comms cost O(F) each in the F comms held at once).
TEST(DesStep, CollectiveGranularityIsCloseToPerFlow) {
  const Scenario s = small_dualpipe();
  Estimate e = estimate(s);
  e.phases.front().micro_batches = 8;
  DesOptions flows, collectives;
  flows.granularity = NetworkGranularity::kFlows;
  const DesStep f = simulate_step(s, e, flows);
  const DesStep c = simulate_step(s, e, collectives);
  std::printf("pp4 x 8 micro-batches: per flow %.4f s, per collective %.4f s (%zu activities)\n",
              seconds(f.run.makespan), seconds(c.run.makespan), f.network_activities);
  EXPECT_NEAR(c.run.makespan / f.run.makespan, 1.0, 0.05);
}

// The symmetry reduction: one EP group per pipeline rank stands for all of
// them. Checked per flow (exact max-min) on DeepSeek-V3 over 8 nodes: 2
// pipeline ranks of 4 nodes, each 2 EP16 groups across 2 nodes whose traffic
// shares the nodes' leaf.
TEST(DesStep, SymmetryReductionMatchesAllGroups) {
  Scenario s = load_scenario(kHeadline);
  s.cluster.num_nodes = 8;
  s.plan.pp = 2;
  s.plan.ep = 16;
  s.plan.dp = 32;
  s.plan.schedule = ScheduleKind::k1F1B;
  s.plan.stage_layers.clear();
  Estimate e = estimate(s);
  e.phases.front().micro_batches = 4;
  DesOptions reduced, full;
  reduced.granularity = full.granularity = NetworkGranularity::kFlows;
  full.all_ep_groups = true;
  const DesStep a = simulate_step(s, e, reduced);
  const DesStep b = simulate_step(s, e, full);
  std::printf("one EP group per rank %.6f s, every group %.6f s\n", seconds(a.run.makespan),
              seconds(b.run.makespan));
  EXPECT_NEAR(a.run.makespan / b.run.makespan, 1.0, 0.01);
}

// The collectives granularity times collectives that meet no other on a link
// in closed form (sim/net/detail/lone_collectives.h); the step must be the one
// SimGrid gives with every collective in it. DeepSeek-V3 on 256 GPUs: DualPipe
// over 4 ranks of one EP64 group each, pipeline sends meeting EP calls.
TEST(DesStep, LoneCollectivesInClosedFormGiveTheSameStep) {
  Scenario s = load_scenario(kHeadline);
  s.cluster.num_nodes = 32;
  s.plan.pp = 4;
  s.plan.dp = 64;
  s.plan.stage_layers.clear();
  Estimate e = estimate(s);
  e.phases.front().micro_batches = 12;
  DesOptions shortcut, reference;
  reference.lone_closed_form = false;
  const DesStep a = simulate_step(s, e, shortcut);
  const DesStep b = simulate_step(s, e, reference);
  std::printf("lone collectives in closed form %.9f s, all in SimGrid %.9f s\n",
              seconds(a.run.makespan), seconds(b.run.makespan));
  EXPECT_NEAR(a.run.makespan / b.run.makespan, 1.0, 1e-9);
  EXPECT_NEAR(seconds(a.exposed_comm), seconds(b.exposed_comm), 1e-9);
  ASSERT_EQ(a.run.tasks.size(), b.run.tasks.size());
  for (size_t t = 0; t < a.run.tasks.size(); ++t)
    ASSERT_NEAR(seconds(a.run.tasks[t].end), seconds(b.run.tasks[t].end), 1e-9) << t;
}

// HBM interference: compute that runs beside communication loses a share of
// its speed beyond the SMs taken. DualPipe overlaps the most, so it pays; the
// caveat says which figure was used.
TEST(DesStep, InterferenceSlowsOverlappedComputeAndIsReported) {
  const Scenario s = small_dualpipe();
  const Estimate e = estimate(s);
  DesOptions none, some;
  none.interference = 0.0;
  some.interference = 0.2;
  const DesStep a = simulate_step(s, e, none);
  const DesStep b = simulate_step(s, e, some);
  EXPECT_GT(b.step_time(), a.step_time());
  EXPECT_EQ(b.interference, 0.2);
  const Estimate r = des_estimate(s, some);
  EXPECT_NE(r.caveats.front().find("20.0% slower beyond that"), std::string::npos)
      << r.caveats.front();
  EXPECT_NE(des_estimate(s).caveats.front().find("no overlap figure"), std::string::npos);
}

TEST(DesStep, ScheduleWithoutOverlapExposesMoreCommunication) {
  Scenario s = load_scenario("scenarios/mixtral-8x7b-pretrain-64xH100.json");
  s.plan.pp = 4;
  s.plan.dp = 16;
  s.plan.ep = 8;
  const Estimate e = estimate(s);
  s.plan.schedule = ScheduleKind::kDualPipe;
  const DesStep dual = simulate_step(s, e);
  s.plan.schedule = ScheduleKind::k1F1B;
  const DesStep one = simulate_step(s, e);
  EXPECT_GT(one.exposed_comm, dual.exposed_comm);
}

TEST(DesStep, DenseModelsRunWithPipelineSendsOnly) {
  const Scenario s = load_scenario("scenarios/llama-3.1-405b-pretrain-2048xH100.json");
  const DesStep d = simulate_step(s, estimate(s));
  EXPECT_GT(d.run.makespan, Seconds());
  for (const Task& t : d.graph.graph.tasks())
    EXPECT_LE(t.transfers.size(), 1u) << t.name;  // one GPU per rank sends
}

// ZeRO at the step boundary overlaps as it does on a real system: under 1F1B
// the last rank finishes its backward first, and its gradient reduce-scatter
// runs while the ranks before it are still in their cool-down; the step ends
// when the last rank to finish has reduced, updated and gathered.
TEST(DesStep, DpSyncOfEarlyRanksOverlapsTheCoolDown) {
  const Scenario s = load_scenario("scenarios/deepseek-v3-pretrain-2048xH800-1f1b.json");
  const DesStep d = simulate_step(s, estimate(s));
  const auto& tasks = d.graph.graph.tasks();
  const int last = static_cast<int>(d.dp_tasks.size()) - 1;
  const TaskRecord& rs_last = d.run.tasks[d.dp_tasks[static_cast<size_t>(last)].front().value];
  EXPECT_NE(tasks[d.dp_tasks[static_cast<size_t>(last)].front().value].name.find("reduce-scatter"),
            std::string::npos);
  // Rank 0's pipeline work (everything but its DP tasks and optimizer) ends later.
  Seconds rank0_pipeline;
  for (size_t t = 0; t < tasks.size(); ++t)
    if (tasks[t].gpu == 0 && tasks[t].stream != 4 && tasks[t].name != "optimizer step")
      rank0_pipeline = max(rank0_pipeline, d.run.tasks[t].end);
  EXPECT_LT(rs_last.start, rank0_pipeline);
  // Every rank's all-gather follows its optimizer, which follows its reduce-scatters.
  for (size_t r = 0; r < d.dp_tasks.size(); ++r) {
    const TaskRecord& opt = d.run.tasks[d.optimizer_tasks[r].value];
    EXPECT_GE(d.run.tasks[d.dp_tasks[r].back().value].start, opt.end);
    for (size_t k = 0; k + 1 < d.dp_tasks[r].size(); ++k)
      EXPECT_LE(d.run.tasks[d.dp_tasks[r][k].value].end, opt.start);
  }
  // On the rank that ends last, the parts leave a non-negative bubble.
  EXPECT_LE(d.compute_busy + d.exposed_comm + d.dp_sync + d.optimizer, d.step_time());
  EXPECT_GT(d.dp_sync, Seconds());
  EXPECT_GT(d.optimizer, Seconds());
}

TEST(DesStep, TraceHasComputeCommunicationAndSendTracksPerRankWithoutOverlap) {
  const Scenario s = load_scenario(kHeadline);
  const DesStep& d = headline_step();
  const auto j = nlohmann::json::parse(des_chrome_trace_json(d, s.name));
  size_t tracks = 0, comm = 0, dispatch = 0;
  std::map<int, double> last_end;
  for (const auto& ev : j["traceEvents"]) {
    if (ev["ph"] == "M" && ev["name"] == "thread_name") ++tracks;
    if (ev["ph"] != "X") continue;
    comm += ev["cat"] == "communication";
    dispatch += ev["name"].get<std::string>().find(".dispatch") != std::string::npos;
    const int tid = ev["tid"];
    const double ts = ev["ts"], dur = ev["dur"];
    EXPECT_GE(ts + 1e-6, last_end[tid]) << ev.dump();
    last_end[tid] = ts + dur;
  }
  EXPECT_EQ(tracks, 64u);  // 16 ranks x (compute, communication, pipeline send, DP sync)
  EXPECT_GT(comm, 0u);
  EXPECT_GT(dispatch, 0u);
}

// The spans the trace and the studio draw: every task of an instruction's
// chains carries that instruction (its name starts with the instruction's),
// the B chain of an F&B pair is marked backward, the step boundary has none.
TEST(DesStep, SpansKnowTheirInstructionAndChain) {
  const Scenario s = load_scenario(kHeadline);
  const DesStep& d = headline_step();
  const Estimate e = estimate(s);
  const StepTimeline tl = step_timeline(s, e);
  const auto& tasks = d.graph.graph.tasks();
  size_t boundary = 0, backward_in_pairs = 0, forward_in_pairs = 0;
  const std::vector<DesSpan> spans = des_spans(d);
  ASSERT_FALSE(spans.empty());
  for (const DesSpan& sp : spans) {
    const std::string& name = tasks[sp.task.value].name;
    if (sp.instruction < 0) {
      ++boundary;
      EXPECT_TRUE(name.rfind("DP ", 0) == 0 || name == "optimizer step") << name;
      continue;
    }
    const Instruction& in = tl.schedule.per_rank[static_cast<size_t>(sp.rank)]
                                                [static_cast<size_t>(sp.instruction)];
    EXPECT_EQ(name.rfind(to_string(in) + " ", 0), 0u) << name << " vs " << to_string(in);
    if (in.op == InstructionKind::kForwardBackward)
      (sp.backward ? backward_in_pairs : forward_in_pairs)++;
    EXPECT_EQ(sp.backward, name.find(" B ") != std::string::npos) << name;
  }
  EXPECT_GE(boundary, 16u * 2);  // per rank: reduce-scatters, optimizer, all-gather
  EXPECT_GT(backward_in_pairs, 0u);
  EXPECT_GT(forward_in_pairs, 0u);
  const auto j = nlohmann::json::parse(des_chrome_trace_json(d, s.name));
  size_t events = 0;
  for (const auto& ev : j["traceEvents"]) events += ev["ph"] == "X";
  EXPECT_EQ(events, spans.size());
}

// In des the EP calls move the skewed traffic on the network: a Zipf
// popularity makes the Mixtral step (EP8, 64 GPUs) slower than uniform.
TEST(DesStep, SlowsUnderZipfRouting) {
  const Scenario even =
      load_scenario(std::string(MOESIM_SOURCE_DIR) + "/scenarios/mixtral-8x7b-pretrain-64xH100.json");
  Scenario skew = even;
  skew.training.routing.popularity = ExpertPopularity::kZipf;
  skew.training.routing.zipf_exponent = 1.0;
  EXPECT_GT(des_estimate(skew).step_time, des_estimate(even).step_time);
}

}  // namespace
}  // namespace moesim
