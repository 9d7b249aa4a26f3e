#include "sim/cost/estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sim/cost/comm_model.h"
#include "sim/cost/executed_schedule.h"
#include "sim/cost/expert_load.h"
#include "sim/cost/phase_time.h"
#include "sim/cost/step_boundary.h"
#include "sim/sched/generators.h"

namespace moesim {

namespace {

// Minimum micro-batches per DP rank each schedule needs (mirrors plan checks).
int schedule_min_micro_batches(const ParallelPlan& p) {
  switch (p.schedule) {
    case ScheduleKind::kDualPipe:
    case ScheduleKind::kDualPipeV: return 2 * p.pp;
    default: return p.pp;
  }
}

std::vector<std::string> caveats_for(const Scenario& s) {
  std::vector<std::string> c;
  c.push_back(
      "analytic fidelity: communication times come from achievable link bandwidths "
      "(no network simulation: no contention, stragglers or topology effects)");
  const EfficiencyTable& t = efficiency_table(s.cluster);
  c.push_back("kernel efficiencies: " + describe(t) +
              (s.cluster.calibration ? " (" + s.cluster.calibration_profile + ")" : ""));
  if (!t.gpu.empty() && t.gpu != s.cluster.gpu.name)
    c.push_back("GPU is " + s.cluster.gpu.name + ": " + t.gpu +
                " efficiencies applied as fractions of its own peaks");
  if (s.model.moe.enabled()) {
    const RoutingSpec& r = s.training.routing;
    const int redundant = s.plan.redundant_experts;
    if (r.popularity == ExpertPopularity::kUniform && redundant == 0) {
      c.push_back("routing is uniform and balanced; real imbalance slows the busiest expert GPU");
    } else {
      const ExpertLoad l = scenario_expert_load(s, s.plan.micro_batch_size *
                                                       s.training.phases.front().seq_len);
      const std::string popularity =
          r.popularity == ExpertPopularity::kZipf
              ? "Zipf(" + std::to_string(r.zipf_exponent).substr(0, 4) + ") popularity, sampled once (seed " +
                    std::to_string(r.seed) + ")"
          : r.popularity == ExpertPopularity::kHistogram
              ? "a per-expert histogram, sampled once (seed " + std::to_string(r.seed) + ")"
              : std::string("uniform popularity");
      const std::string copies =
          redundant > 0 ? "; " + std::to_string(redundant) +
                              " redundant experts placed by EPLB's policy on those loads (the "
                              "copies' weights, gradients and optimizer state counted; their "
                              "gradient sync with each other not modeled)"
                        : "; no redundant experts";
      char b[160];
      std::snprintf(b, sizeof b,
                    ": the busiest EP rank runs x%.2f the mean expert rows and receives x%.2f "
                    "the mean tokens, and paces every layer",
                    l.compute, l.receive);
      c.push_back("routing: " + popularity + b + copies +
                  "; the same load in every layer and step (no balancing over the run)");
    }
  }
  c.push_back("ZeRO gradient/parameter sync is not overlapped with compute (upper bound)");
  c.push_back(
      "memory excludes CUDA context, communication buffers and allocator fragmentation");
  return c;
}

}  // namespace

Estimate estimate(const Scenario& s) {
  Estimate e;
  e.scenario = s.name;
  e.gpu = s.cluster.gpu.name;
  e.num_gpus = s.cluster.num_gpus();
  e.hbm_capacity = s.cluster.gpu.hbm_capacity;
  e.caveats = caveats_for(s);
  const bool overlap = s.plan.schedule == ScheduleKind::kDualPipe ||
                       s.plan.schedule == ScheduleKind::kDualPipeV;
  const int stages = model_stage_count(s.plan);
  double tokens_total = 0;

  for (size_t pi = 0; pi < s.training.phases.size(); ++pi) {
    const TrainingPhase& ph = s.training.phases[pi];
    const ModelSummary summary = summarize(s.model, ph.seq_len);
    const StageCosts costs = price_stages(s, stages, ph.seq_len, overlap);
    const ChainContext chains = chain_context(s, costs);
    const InstructionTimes times(costs, &chains);
    StepModel step = schedule_step(s.plan, costs, overlap ? &times : nullptr);
    const int mb_per_rank = ph.batch.sequences / (s.plan.dp * s.plan.micro_batch_size);
    if (overlap && schedule_input_problems(s.plan.schedule, s.plan.pp, mb_per_rank,
                                           s.plan.virtual_stages)
                       .empty()) {
      // DualPipe's fill and drain as its instruction lists run them with these
      // costs (lone chunks expose their calls; uneven ranks wait for each
      // other), in place of the table's uniform-stage formula.
      const Seconds makespan = executed_makespan(
          *CompiledSchedule::compiled(s.plan.schedule, s.plan.pp, mb_per_rank, s.plan.virtual_stages),
          times);
      step.bubble = max(Seconds(), makespan - step.per_micro_batch * mb_per_rank);
    }

    std::vector<RankReport> ranks;
    const auto mem = rank_memory(s, costs, step, mb_per_rank);
    Seconds dp_sync, opt;
    for (int r = 0; r < s.plan.pp; ++r) {
      RankReport rr{r, step.rank_stages[r], mem[r].params, mem[r]};
      dp_sync = max(dp_sync, dp_sync_time(s, rr.stages, costs).total());
      opt = max(opt, optimizer_time(s, rr.memory.optimizer));
      ranks.push_back(rr);
    }

    PhaseEstimate pe;
    pe.name = ph.name;
    pe.seq_len = ph.seq_len;
    pe.global_batch = ph.batch.sequences;
    pe.micro_batches = mb_per_rank;
    const Seconds fixed = step.bubble + dp_sync + opt;
    pe.step_time = step.per_micro_batch * mb_per_rank + fixed;
    pe.breakdown.compute = step.compute_per_mb * mb_per_rank;
    pe.breakdown.exposed_comm = step.exposed_comm_per_mb * mb_per_rank;
    pe.breakdown.bubble = step.bubble + step.imbalance_per_mb * mb_per_rank;
    pe.breakdown.dp_sync = dp_sync;
    pe.breakdown.optimizer = opt;
    const double tokens_per_step = static_cast<double>(ph.batch.sequences) * ph.seq_len;
    pe.tokens_per_s = tokens_per_step / seconds(pe.step_time);
    const Flops model_flops = (summary.train_flops_per_token + summary.mtp_train_flops_per_token) *
                              tokens_per_step;
    pe.mfu = flops(model_flops) /
             (seconds(pe.step_time) * e.num_gpus * flops_per_s(s.cluster.gpu.peak_bf16));

    const PhaseTime pt = phase_time(ph, step.per_micro_batch, fixed,
                                    s.plan.dp * s.plan.micro_batch_size);
    pe.tokens = pt.tokens;
    pe.steps = pt.steps;
    pe.wall_time = pt.wall_time;
    pe.gpu_hours = hours(pt.wall_time) * e.num_gpus;
    pe.cost_usd = pe.gpu_hours * s.training.price_per_gpu_hour_usd;
    if (ph.batch.ramp_from > 0) {
      const int mb0 = ph.batch.ramp_from / (s.plan.dp * s.plan.micro_batch_size);
      if (mb0 < schedule_min_micro_batches(s.plan))
        e.warnings.push_back("phase '" + ph.name + "': the batch ramp starts at " +
                             std::to_string(mb0) + " micro-batches per DP rank, below the " +
                             std::to_string(schedule_min_micro_batches(s.plan)) + " that " +
                             to_string(s.plan.schedule) +
                             " needs; the ramp's steps are extrapolated from the same model");
    }
    for (const auto& n : costs.notes) e.warnings.push_back("phase '" + ph.name + "': " + n);

    if (pi == 0) {
      e.model = summary;
      e.step_time = pe.step_time;
      e.tokens_per_s = pe.tokens_per_s;
      e.mfu = pe.mfu;
      e.breakdown = pe.breakdown;
      e.ranks = ranks;
      for (size_t si = 0; si < costs.stages.size(); ++si) {
        const StageCost& c = costs.stages[si];
        e.stages.push_back(StageReport{static_cast<int>(si), c.first_layer, c.num_layers,
                                       c.dense_layers, c.moe_layers, c.has_embedding,
                                       c.has_head, c.has_mtp, c.total.fwd, c.total.bwd_input,
                                       c.total.bwd_weight,
                                       c.total.comm_fwd + c.total.comm_bwd + c.p2p * 2.0,
                                       c.total.comm_fwd, c.total.comm_bwd, c.p2p});
      }
    }
    for (const auto& r : ranks)
      e.memory_per_gpu = max(e.memory_per_gpu, r.memory.total());
    e.wall_time += pe.wall_time;
    e.gpu_hours += pe.gpu_hours;
    e.cost_usd += pe.cost_usd;
    tokens_total += pe.tokens;
    e.phases.push_back(pe);
  }
  e.fits = e.memory_per_gpu <= e.hbm_capacity;
  if (!e.fits)
    e.warnings.push_back("does not fit: the largest rank needs " +
                         std::to_string(gib(e.memory_per_gpu)).substr(0, 6) + " GiB of " +
                         std::to_string(gib(e.hbm_capacity)).substr(0, 6) + " GiB HBM");
  e.gpu_hours_per_trillion_tokens = tokens_total > 0 ? e.gpu_hours / (tokens_total / 1e12) : 0;
  return e;
}

}  // namespace moesim
