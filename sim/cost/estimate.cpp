#include "sim/cost/estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sim/cost/balancing_run.h"
#include "sim/cost/comm_model.h"
#include "sim/cost/executed_schedule.h"
#include "sim/cost/expert_load.h"
#include "sim/cost/generation_time.h"
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
    if (r.popularity == ExpertPopularity::kUniform && redundant == 0 &&
        s.training.balancing.method != BalancingMethod::kCapacity) {
      c.push_back("routing is uniform and balanced; real imbalance slows the busiest expert GPU");
    } else {
      const ExpertLoad l =
          scenario_expert_load(s, s.plan.moe_tokens_per_gpu(s.training.phases.front().seq_len));
      const std::string popularity =
          r.popularity == ExpertPopularity::kZipf
              ? "Zipf(" + std::to_string(r.zipf_exponent).substr(0, 4) + ") popularity, sampled once (seed " +
                    std::to_string(r.seed) + ")"
          : r.popularity == ExpertPopularity::kHistogram
              ? "a per-expert histogram, sampled once (seed " + std::to_string(r.seed) + ")"
          : r.popularity == ExpertPopularity::kMeasured
              ? "measured per-expert counts of " + std::to_string(r.layer_loads.size()) +
                    " layer(s), each layer's busiest rank as counted (received tokens from its "
                    "share, top-k picks taken as independent), averaged over the layers; des "
                    "routes its traffic by the layers' mean shares"
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
      const BalancingSpec& bal = s.training.balancing;
      std::string over_run = "; the same load in every layer and step (no balancing over the run)";
      if (bal.method == BalancingMethod::kAuxFree && r.popularity != ExpertPopularity::kUniform) {
        char g[400];
        std::snprintf(g, sizeof g,
                      "; that is the load once aux-loss-free balancing (gamma %g) is steady: the "
                      "run starts from the routing as given, and its steps before steady are "
                      "priced between the two in proportion to the bias dynamics' expected "
                      "imbalance (no group limit in the dynamics; the same load in every layer)",
                      bal.gamma);
        over_run = g;
      } else if (bal.method == BalancingMethod::kCapacity) {
        char g[300];
        std::snprintf(g, sizeof g,
                      "; capacity factor %g drops %.2f%% of the expert applications every step "
                      "(before the dispatch; dropped tokens skip the experts, which training "
                      "quality pays for and this estimate does not price)",
                      bal.capacity_factor, 100 * l.dropped);
        over_run = g;
      }
      c.push_back("routing: " + popularity + b + copies + over_run);
    }
  }
  bool etp = false;
  for (size_t i = 0; i < s.training.phases.size(); ++i) etp = etp || phase_plan(s, i).etp > 1;
  if (etp)
    c.push_back(
        "expert tensor parallelism: an EP group's ranks stand etp GPUs apart (Megatron-Core's "
        "order), so its calls span ep x etp GPUs and their nodes in analytic; the des step "
        "still simulates each call on ep consecutive GPUs (optimistic there where the span "
        "crosses more nodes)");
  if (s.plan.gathers_parameters())
    c.push_back(
        "ZeRO-3 / FSDP: each unit's gather and reduce-scatter hidden behind that unit's own "
        "compute (prefetch depth one), at analytic ring times on the DP group's link; "
        "reduce-scatter every micro-batch (no gradient accumulation unsharded)");
  else
    c.push_back("ZeRO gradient/parameter sync is not overlapped with compute (upper bound)");
  bool generation = false;
  for (const TrainingPhase& ph : s.training.phases)
    generation = generation || ph.kind == PhaseKind::kGeneration;
  if (generation)
    c.push_back(
        "generation phases (RL rollouts) are an approximation: prefill as the training "
        "forward pass, each decode iteration bound by reading the weights and KV cache or by "
        "its FLOPs, plus its EP and TP calls at closed-form times; no speculative decoding, "
        "continuous batching or separate inference engine; analytic in both fidelities");
  c.push_back(
      "memory excludes CUDA context, communication buffers and allocator fragmentation");
  return c;
}

// The load figures a report shows; none when the routing is uniform, nothing
// is copied and no balancing method is set.
std::optional<LoadReport> load_report(const Scenario& s) {
  const BalancingSpec& b = s.training.balancing;
  if (!s.model.moe.enabled() ||
      (s.training.routing.popularity == ExpertPopularity::kUniform &&
       s.plan.redundant_experts == 0 && b.method == BalancingMethod::kNone))
    return std::nullopt;
  LoadReport l;
  l.balancing = b.method;
  l.gamma = b.gamma;
  l.capacity_factor = b.capacity_factor;
  l.redundant_experts = s.plan.redundant_experts;
  const int tokens = s.plan.moe_tokens_per_gpu(s.training.phases.front().seq_len);
  l.start = start_expert_load(s, tokens);
  l.steady = scenario_expert_load(s, tokens);
  if (const auto run = balancing_trajectory(s)) {
    l.start_imbalance = run->imbalance.front();
    l.steady_imbalance = run->imbalance.back();
    l.steps_to_5pct = run->steps_to(1.05);
    l.steps_simulated = static_cast<int>(run->imbalance.size());
    l.steady_reached = run->steady;
  }
  l.run_steps = run_steps(s);
  return l;
}

}  // namespace

PricedPhase price_phase(const Scenario& s, const TrainingPhase& ph, const ExpertLoad* load) {
  PricedPhase out;
  const bool overlap = s.plan.overlaps_comm();
  out.costs = price_stages(s, model_stage_count(s.plan), ph.seq_len, overlap, load);
  const StageCosts& costs = out.costs;
  const ChainContext chains = chain_context(s, costs);
  const InstructionTimes times(costs, &chains);
  out.step = schedule_step(s.plan, costs, overlap ? &times : nullptr);
  out.mb_per_rank = ph.batch.sequences / (s.plan.dp * s.plan.micro_batch_size);
  if (overlap && schedule_input_problems(s.plan.schedule, s.plan.pp, out.mb_per_rank,
                                         s.plan.virtual_stages)
                     .empty()) {
    // The fill and drain of a paired schedule as its instruction lists run
    // them with these costs (lone chunks expose their calls; uneven ranks
    // wait for each other), in place of the table's uniform-stage formula.
    const Seconds makespan = executed_makespan(
        *CompiledSchedule::compiled(s.plan.schedule, s.plan.pp, out.mb_per_rank,
                                    s.plan.virtual_stages, s.plan.ep_a2a_overlap),
        times);
    out.step.bubble = max(Seconds(), makespan - out.step.per_micro_batch * out.mb_per_rank);
  }
  const auto mem = rank_memory(s, costs, out.step, out.mb_per_rank);
  for (int r = 0; r < s.plan.pp; ++r) {
    RankReport rr{r, out.step.rank_stages[r], mem[r].params, mem[r]};
    out.dp_sync = max(out.dp_sync, dp_sync_time(s, rr.stages, costs).total());
    out.optimizer = max(out.optimizer, optimizer_time(s, rr.memory.optimizer));
    out.ranks.push_back(rr);
  }
  return out;
}

Estimate estimate(const Scenario& s) {
  Estimate e;
  e.scenario = s.name;
  e.gpu = s.cluster.gpu.name;
  e.num_gpus = s.cluster.num_gpus();
  e.hbm_capacity = s.cluster.gpu.hbm_capacity;
  // The headline is the first phase's step, on its plan.
  const PhaseScenario first(s, 0);
  const Scenario& headline = first.get();
  e.caveats = caveats_for(headline);
  double tokens_total = 0;
  double steps_before = 0;  // the run's steps before the phase (balancing carries over)
  e.load = load_report(headline);

  for (size_t pi = 0; pi < s.training.phases.size(); ++pi) {
    // The phase as it runs: its own plan where it has one.
    const PhaseScenario phase(s, pi);
    const Scenario& ps = phase.get();
    const ParallelPlan& plan = ps.plan;
    const TrainingPhase& ph = s.training.phases[pi];
    if (ph.kind == PhaseKind::kGeneration) {
      // RL rollouts: GPU-hours of their own, no training tokens or steps.
      PhaseEstimate pe = generation_phase(ps, ph);
      if (pe.memory_per_gpu > e.hbm_capacity)
        e.warnings.push_back("phase '" + ph.name + "' does not fit: its weights and KV cache need " +
                             std::to_string(gib(pe.memory_per_gpu)).substr(0, 6) + " GiB");
      e.wall_time += pe.wall_time;
      e.gpu_hours += pe.gpu_hours;
      e.cost_usd += pe.cost_usd;
      e.phases.push_back(std::move(pe));
      continue;
    }
    const ModelSummary summary = summarize(s.model, ph.seq_len);
    const PricedPhase priced = price_phase(ps, ph, nullptr);
    const StageCosts& costs = priced.costs;
    const StepModel& step = priced.step;
    const int mb_per_rank = priced.mb_per_rank;
    const std::vector<RankReport>& ranks = priced.ranks;
    const Seconds dp_sync = priced.dp_sync, opt = priced.optimizer;

    PhaseEstimate pe;
    pe.name = ph.name;
    pe.plan = plan;
    pe.own_plan = ph.plan.has_value();
    pe.seq_len = ph.seq_len;
    pe.global_batch = ph.batch.sequences;
    pe.micro_batches = mb_per_rank;
    const Seconds fixed = priced.fixed();
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

    const PhaseTime pt =
        phase_time(ph, step.per_micro_batch, fixed, plan.dp * plan.micro_batch_size);
    pe.tokens = pt.tokens;
    pe.steps = pt.steps;
    pe.wall_time = pt.wall_time;
    const BalancingTransient transient =
        balancing_transient(s, pi, steps_before, pt.steps, priced);
    steps_before += pt.steps;
    pe.wall_time += transient.extra;
    pe.gpu_hours = hours(pe.wall_time) * e.num_gpus;
    if (transient.priced && e.load) {
      e.load->transient_gpu_hours += hours(transient.extra) * e.num_gpus;
      if (pi == 0) {
        e.load->start_step_time = transient.start_step;
        e.load->start_memory = transient.start_memory;
        if (transient.start_memory > e.hbm_capacity)
          e.warnings.push_back(
              "before balancing evens the load out, the busiest EP rank's activations need " +
              std::to_string(gib(transient.start_memory)).substr(0, 6) + " GiB of " +
              std::to_string(gib(e.hbm_capacity)).substr(0, 6) +
              " GiB HBM on the largest rank: the run's first steps do not fit");
      }
    }
    pe.cost_usd = pe.gpu_hours * s.training.price_per_gpu_hour_usd;
    if (ph.batch.ramp_from > 0) {
      const int mb0 = ph.batch.ramp_from / (plan.dp * plan.micro_batch_size);
      if (mb0 < schedule_min_micro_batches(plan))
        e.warnings.push_back("phase '" + ph.name + "': the batch ramp starts at " +
                             std::to_string(mb0) + " micro-batches per DP rank, below the " +
                             std::to_string(schedule_min_micro_batches(plan)) + " that " +
                             to_string(plan.schedule) +
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
    for (const auto& r : ranks) pe.memory_per_gpu = max(pe.memory_per_gpu, r.memory.total());
    e.memory_per_gpu = max(e.memory_per_gpu, pe.memory_per_gpu);
    if (pe.memory_per_gpu > e.hbm_capacity && s.training.phases.size() > 1)
      e.warnings.push_back("phase '" + ph.name + "' does not fit: its largest rank needs " +
                           std::to_string(gib(pe.memory_per_gpu)).substr(0, 6) + " GiB");
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
