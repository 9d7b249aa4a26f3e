// validate_scenario(): single-part rules for values built in memory, and how
// the parallel plan fits the model and the cluster. Each diagnostic points at
// the value the user would change (the plan's /ep, /tp, ...), and says why.
#include "sim/scenario/detail/plan_checks.h"

#include <algorithm>
#include <cmath>

#include "sim/model/eplb.h"
#include "sim/scenario/detail/parts.h"

namespace moesim {

namespace detail {

namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

// The overlap and sharding switches against the schedule, EP and ZeRO stage
// they need (Megatron-Core refuses the same combinations).
void check_overlap_switches(const ParallelPlan& p, const JsonLocation& at, ParseLog& log) {
  if (p.ep_a2a_overlap) {
    if (p.schedule != ScheduleKind::k1F1B && p.schedule != ScheduleKind::kInterleaved1F1B)
      log.error(at / "ep_a2a_overlap",
                std::string("ep_a2a_overlap pairs the forward and backward of two micro-batches "
                            "in 1f1b and interleaved_1f1b; ") +
                    (p.pairs_forward_backward() && p.schedule != ScheduleKind::kZb1p
                         ? to_string(p.schedule) + std::string(" overlaps its EP calls already")
                         : "zb1p splits each backward instead") +
                    " (set it false)",
                {at / "schedule"});
    else if (p.schedule == ScheduleKind::k1F1B && p.pp > 1)
      log.error(at / "ep_a2a_overlap",
                "ep_a2a_overlap with pp " + num(p.pp) +
                    " needs virtual stages (Megatron-Core asserts it): use \"interleaved_1f1b\", "
                    "or pp 1",
                {at / "schedule", at / "pp"});
    else if (p.ep < 2)
      log.error(at / "ep_a2a_overlap",
                "ep_a2a_overlap hides EP all-to-all calls; it needs ep > 1, found ep " + num(p.ep),
                {at / "ep"});
    if (p.recompute.full)
      log.error(at / "ep_a2a_overlap",
                "ep_a2a_overlap does not run with full recomputation (Megatron-Core refuses "
                "it: the recomputed forward would repeat the EP calls); set recompute.full "
                "false",
                {at / "recompute" / "full"});
    if (p.shared_expert_overlap)
      log.error(at / "shared_expert_overlap",
                "shared_expert_overlap and ep_a2a_overlap exclude each other (as in "
                "Megatron-Core): the paired micro-batch already covers the EP calls",
                {at / "ep_a2a_overlap"});
  }
  if (p.shared_expert_overlap && p.ep < 2)
    log.error(at / "shared_expert_overlap",
              "shared_expert_overlap hides EP calls behind the shared experts; it needs ep > "
              "1, found ep " +
                  num(p.ep),
              {at / "ep"});
  if (!p.reshard_after_forward && !p.gathers_parameters())
    log.error(at / "reshard_after_forward",
              "reshard_after_forward applies to zero_stage 3 (FSDP), which gathers the "
              "parameters per unit; zero_stage is " +
                  num(p.zero_stage),
              {at / "zero_stage"});
  if (p.tp_comm_overlap && p.tp < 2)
    log.error(at / "tp_comm_overlap",
              "tp_comm_overlap pipelines TP's collectives with GEMMs; it needs tp > 1, found tp " +
                  num(p.tp),
              {at / "tp"});
  if (p.recompute.layers > 0 && !p.recompute.full)
    log.error(at / "recompute" / "layers",
              "layers " + num(p.recompute.layers) +
                  " limits full recomputation to that many layers of each model chunk; it "
                  "needs recompute.full true",
              {at / "recompute" / "full"});
}

// Returns false when a degree is below 1 (then no cross-part check can run).
bool check_plan_alone(const ParallelPlan& p, const JsonLocation& at, ParseLog& log) {
  bool sane = true;
  auto at_least_one = [&](const char* key, int v) {
    if (v >= 1) return;
    log.error(at / key, "expected a positive integer, found " + num(v));
    sane = false;
  };
  at_least_one("pp", p.pp);
  at_least_one("ep", p.ep);
  at_least_one("dp", p.dp);
  at_least_one("tp", p.tp);
  at_least_one("cp", p.cp);
  at_least_one("etp", p.etp);
  at_least_one("virtual_stages", p.virtual_stages);
  at_least_one("micro_batch_size", p.micro_batch_size);
  if (p.micro_batches) at_least_one("micro_batches", *p.micro_batches);
  if (p.zero_stage < 0 || p.zero_stage > 3)
    log.error(at / "zero_stage",
              "expected an integer in 0..3 (ZeRO stage), found " + num(p.zero_stage));
  if (p.comm_sms < 0)
    log.error(at / "comm_sms", "expected a non-negative integer, found " + num(p.comm_sms));
  for (size_t i = 0; i < p.stage_layers.size(); ++i) {
    if (p.stage_layers[i] < 0)
      log.error(at / "stage_layers" / i,
                "expected a non-negative integer, found " + num(p.stage_layers[i]));
  }
  if (!sane) return false;
  if (product({p.dp, p.tp, p.cp}) % p.ep != 0)
    log.error(at / "ep", "ep " + num(p.ep) + " does not divide dp x tp x cp = " +
                             num(product({p.dp, p.tp, p.cp})) +
                             ": expert-parallel groups are carved out of the data-, "
                             "tensor- and context-parallel ranks",
              {at / "dp", at / "tp", at / "cp"});
  else if (p.etp > 1 && p.ep == 1)
    log.error(at / "etp", "etp " + num(p.etp) +
                              " splits the experts of an EP rank over GPUs; it needs ep > 1 "
                              "(without EP, give the experts' split with tp)",
              {at / "ep"});
  else if (product({p.dp, p.tp, p.cp}) % product({p.ep, p.etp}) != 0)
    log.error(at / "etp", "ep " + num(p.ep) + " x etp " + num(p.etp) + " = " +
                              num(product({p.ep, p.etp})) + " does not divide dp x tp x cp = " +
                              num(product({p.dp, p.tp, p.cp})) +
                              ": one copy of every expert spans ep x etp GPUs of a stage",
              {at / "ep", at / "dp", at / "tp", at / "cp"});
  const bool interleaved = p.schedule == ScheduleKind::kInterleaved1F1B;
  if (interleaved && p.virtual_stages < 2)
    log.error(at / "virtual_stages",
              "interleaved_1f1b needs virtual_stages >= 2 (model chunks per pipeline rank), "
              "found " +
                  num(p.virtual_stages),
              {at / "schedule"});
  if (!interleaved && p.virtual_stages != 1)
    log.error(at / "virtual_stages", "virtual_stages " + num(p.virtual_stages) +
                                         " applies to the \"interleaved_1f1b\" schedule only "
                                         "(schedule is \"" +
                                         to_string(p.schedule) + "\")",
              {at / "schedule"});
  if (p.schedule == ScheduleKind::kDualPipe && p.pp % 2 != 0)
    log.error(at / "pp",
              "dualpipe needs an even pp (it feeds micro-batches from both ends of "
              "the pipeline), found " +
                  num(p.pp),
              {at / "schedule"});
  check_overlap_switches(p, at, log);
  return true;
}

void check_plan_model(const ParallelPlan& p, const ModelSpec& m, const JsonLocation& at,
                      ParseLog& log) {
  const MoeSpec& x = m.moe;
  if (!x.enabled() && p.etp != 1)
    log.error(at / "etp", "etp must be 1 for a dense model (\"" + m.name +
                              "\" has no routed experts), found " + num(p.etp));
  else if (x.enabled() && x.expert_intermediate % p.etp != 0)
    log.error(at / "etp", "etp " + num(p.etp) + " does not divide the experts' intermediate size " +
                              num(x.expert_intermediate));
  if (!x.enabled() && p.ep != 1)
    log.error(at / "ep", "ep must be 1 for a dense model (\"" + m.name +
                             "\" has no routed experts), found " + num(p.ep));
  else if (x.enabled() && x.num_routed_experts % p.ep != 0)
    log.error(at / "ep", "ep " + num(p.ep) + " does not divide the model's " +
                             num(x.num_routed_experts) + " routed experts");
  if (!x.enabled() && (p.ep_a2a_overlap || p.shared_expert_overlap))
    log.error(at / (p.ep_a2a_overlap ? "ep_a2a_overlap" : "shared_expert_overlap"),
              "\"" + m.name + "\" has no routed experts, so no EP calls to overlap");
  else if (p.shared_expert_overlap && x.num_shared_experts == 0)
    log.error(at / "shared_expert_overlap",
              "\"" + m.name + "\" has no shared experts to overlap the EP calls with");
  const AttentionSpec& a = m.attention;
  if (a.num_heads % p.tp != 0)
    log.error(at / "tp", "tp " + num(p.tp) + " does not divide the model's " + num(a.num_heads) +
                             " attention heads");
  else if (a.kind == AttentionKind::kGqa && a.num_kv_heads % p.tp != 0)
    log.error(at / "tp", "tp " + num(p.tp) + " does not divide the model's " + num(a.num_kv_heads) +
                             " key/value heads (GQA)");
  if (p.cp_kind == CpKind::kAllGatherLatent && a.kind != AttentionKind::kMla)
    log.error(at / "cp_kind", "\"all_gather_latent\" gathers MLA's compressed latent; \"" +
                                  m.name + "\" has " + to_string(a.kind) +
                                  " attention (use \"all_gather\" or \"ring\")");
  if (p.pp > m.num_layers)
    log.error(at / "pp",
              "pp " + num(p.pp) + " exceeds the model's " + num(m.num_layers) + " layers");
  if (!p.stage_layers.empty()) {
    std::int64_t sum = 0;
    for (int n : p.stage_layers) sum += n;
    if (static_cast<std::int64_t>(p.stage_layers.size()) != p.model_chunks())
      log.error(at / "stage_layers",
                "expected " + num(p.model_chunks()) +
                    (p.model_chunks() == p.pp
                         ? " entries (one per pipeline stage, pp = " + num(p.pp) + ")"
                         : " entries (one per model chunk: " + std::string(to_string(p.schedule)) +
                               " runs " + num(p.model_chunks()) + " on pp = " + num(p.pp) +
                               " ranks)") +
                    ", found " + num(static_cast<std::int64_t>(p.stage_layers.size())),
                {at / "pp", at / "schedule", at / "virtual_stages"});
    else if (sum != m.num_layers)
      log.error(at / "stage_layers", "the entries sum to " + num(sum) +
                                         " layers, but the model has " + num(m.num_layers));
  }
  if (p.schedule == ScheduleKind::kDualPipeV && m.num_layers < product({2, p.pp}))
    log.error(at / "schedule", "dualpipev runs 2 x pp = " + num(product({2, p.pp})) +
                                   " pipeline stages on " + num(p.pp) +
                                   " ranks and needs at least that many layers; the model has " +
                                   num(m.num_layers),
              {at / "pp"});
  const std::int64_t chunks = product({p.pp, p.virtual_stages});
  if (p.schedule == ScheduleKind::kInterleaved1F1B && p.virtual_stages >= 2 &&
      m.num_layers < chunks)
    log.error(at / "virtual_stages",
              "interleaved_1f1b runs pp x virtual_stages = " + num(chunks) +
                  " model chunks and needs at least that many layers; the model has " +
                  num(m.num_layers),
              {at / "pp"});
}

void check_plan_cluster(const ParallelPlan& p, const ClusterSpec& c, const JsonLocation& at,
                        const JsonLocation& cluster_at, ParseLog& log) {
  const std::int64_t used = product({p.pp, p.dp, p.tp, p.cp});
  const std::int64_t have = product({c.num_nodes, c.gpus_per_node});
  if (used != have)
    log.error(at, "pp " + num(p.pp) + " x dp " + num(p.dp) + " x tp " + num(p.tp) +
                      (p.cp > 1 ? " x cp " + num(p.cp) : std::string()) + " = " + num(used) +
                      " GPUs, but the cluster has " + num(c.num_nodes) + " nodes x " +
                      num(c.gpus_per_node) + " = " + num(have) + " GPUs",
              {at / "pp", at / "dp", at / "tp", at / "cp", cluster_at / "nodes",
               cluster_at / "gpus_per_node"});
  if (c.gpu.sm_count > 0 && p.comm_sms >= c.gpu.sm_count)
    log.error(at / "comm_sms", "expected 0.." + num(c.gpu.sm_count - 1) + " (fewer than the " +
                                   num(c.gpu.sm_count) + " SMs of the " + c.gpu.name +
                                   ", which also run the computation), found " + num(p.comm_sms),
              {cluster_at / "gpu"});
}

bool check_precision(const PrecisionSpec& p, const JsonLocation& at, ParseLog& log) {
  const size_t before = log.size();
  auto bytes = [&](const char* key, int v) {
    if (v != 1 && v != 2 && v != 4 && v != 8)
      log.error(at / key, "expected 1, 2, 4 or 8 (bytes per value), found " + num(v));
  };
  bytes("master_weight_bytes", p.master_weight_bytes);
  bytes("grad_bytes", p.grad_bytes);
  bytes("optimizer_state_bytes", p.optimizer_state_bytes);
  return log.size() == before;
}

void check_precision_cluster(const PrecisionSpec& p, const ClusterSpec& c, const JsonLocation& at,
                             const JsonLocation& cluster_at, ParseLog& log) {
  if (p.kind == PrecisionKind::kFp8 && !(c.gpu.peak_fp8 > FlopsPerSecond()))
    log.error(at / "kind", "\"fp8\" needs FP8 tensor cores, which the " + c.gpu.name +
                               " lacks (its peak FP8 rate is 0); use \"bf16\"",
              {cluster_at / "gpu"});
}

bool check_training(const TrainingSpec& t, const JsonLocation& at, ParseLog& log) {
  const size_t before = log.size();
  if (!(t.price_per_gpu_hour_usd >= 0) || !std::isfinite(t.price_per_gpu_hour_usd))
    log.error(at / "price_per_gpu_hour_usd",
              "expected a non-negative number, found " + json(t.price_per_gpu_hour_usd).dump());
  if (t.phases.empty()) log.error(at / "phases", "expected at least one training phase");
  for (size_t i = 0; i < t.phases.size(); ++i) {
    const TrainingPhase& ph = t.phases[i];
    const JsonLocation here = at / "phases" / i;
    if (ph.seq_len < 1)
      log.error(here / "seq_len", "expected a positive integer, found " + num(ph.seq_len));
    const bool tokens = ph.tokens > 0, steps = ph.steps > 0;
    if (tokens == steps || ph.tokens < 0 || ph.steps < 0)
      log.error(here,
                "expected exactly one positive budget, \"tokens\" or \"steps\"; found "
                "tokens " +
                    json(ph.tokens).dump() + " and steps " + json(ph.steps).dump());
    if (ph.batch.ramp_from < 0)
      log.error(here / "batch_ramp" / "from",
                "expected a positive integer, found " + num(ph.batch.ramp_from));
    else if (ph.batch.ramp_from > 0 && !(ph.batch.ramp_tokens > 0))
      log.error(here / "batch_ramp" / "over_tokens",
                "expected a positive number, found " + json(ph.batch.ramp_tokens).dump());
  }
  return log.size() == before;
}

}  // namespace

std::int64_t product(std::initializer_list<std::int64_t> factors) {
  std::int64_t p = 1;
  for (std::int64_t f : factors) {
    if (f != 0 && std::llabs(p) > INT64_MAX / std::llabs(f)) return INT64_MAX;
    p *= f;
  }
  return p;
}

// The training's routing model against the model's experts (a histogram's
// length, a Zipf exponent): what routing_problems says of it, at its keys.
void check_routing(const Scenario& s, const JsonLocation& at, ParseLog& log) {
  const RoutingSpec& r = s.training.routing;
  if (r.popularity == ExpertPopularity::kUniform) return;
  if (!s.model.moe.enabled()) {
    log.error(at / "routing", "a routing model needs routed experts; the model has none");
    return;
  }
  const int layers = s.model.num_moe_layers();
  if (r.popularity == ExpertPopularity::kMeasured && r.layer_loads.size() != 1 &&
      static_cast<int>(r.layer_loads.size()) != layers)
    log.error(at / "routing" / "layer_loads",
              num(static_cast<int64_t>(r.layer_loads.size())) + " layers of counts: give one per MoE layer (" +
                  num(layers) + ") or one for all");
  for (const std::string& p : routing_problems(s.model.moe, std::max(1, s.model.moe.num_routed_experts),
                                               1, 0, r)) {
    const std::string prefix = "routing/";
    if (p.rfind(prefix, 0) != 0) continue;  // the model's own problems are reported with it
    const size_t colon = p.find(':');
    JsonLocation where = at / "routing";
    std::string rest = p.substr(prefix.size(), colon - prefix.size());  // "key" or "key/i"
    for (size_t slash; (slash = rest.find('/')) != std::string::npos; rest = rest.substr(slash + 1))
      where = where / rest.substr(0, slash);
    where = where / rest;
    log.error(where, p.substr(colon + 2));
  }
}

// A balancing method needs routed experts over EP > 1; token dropping and
// EPLB's copies are not modeled together.
void check_balancing(const Scenario& s, const JsonLocation& training, const JsonLocation& plan,
                     ParseLog& log) {
  const BalancingSpec& b = s.training.balancing;
  if (b.method == BalancingMethod::kNone) return;
  if (!s.model.moe.enabled() || s.plan.ep <= 1) {
    log.error(training / "balancing" / "method",
              std::string("\"") + to_string(b.method) +
                  "\" balancing needs routed experts spread over ep > 1, found ep " +
                  num(s.plan.ep));
    return;
  }
  if (b.method == BalancingMethod::kAuxFree &&
      s.training.routing.popularity == ExpertPopularity::kMeasured)
    log.error(training / "balancing" / "method",
              "measured layer loads are the load as logged, already balanced by whatever ran: "
              "aux_free dynamics over them are not modeled (use a histogram or Zipf start)");
  if (b.method == BalancingMethod::kCapacity && s.plan.redundant_experts > 0)
    log.error(plan / "redundant_experts",
              "capacity dropping (training.balancing) with redundant experts is not modeled: "
              "drop one of the two");
}

// Redundant experts: a MoE model, EP > 1, and physical experts that divide
// over the EP group (sim/model/eplb.h).
void check_redundant_experts(const Scenario& s, const JsonLocation& at, ParseLog& log) {
  const ParallelPlan& p = s.plan;
  if (p.redundant_experts == 0) return;
  const MoeSpec& x = s.model.moe;
  if (!x.enabled() || p.ep <= 1) {
    log.error(at / "redundant_experts",
              "redundant experts need routed experts spread over ep > 1, found ep " + num(p.ep));
    return;
  }
  const int nodes = std::max(1, p.ep / std::max(1, s.cluster.gpus_per_node));
  for (const std::string& e :
       eplb_problems(x.num_routed_experts, std::max(1, x.num_expert_groups), nodes, p.ep,
                     p.redundant_experts))
    log.error(at / "redundant_experts", e + " (ep " + num(p.ep) + ")");
}

void check_scenario(const Scenario& s, const ScenarioSources& where, const PartsValid& valid,
                    ParseLog& log) {
  // A part takes part in cross-part checks only when it is valid on its own.
  const auto model_problems = validate(s.model);
  const auto cluster_problems = validate(s.cluster);
  const auto* rename = where.model_is_hf_config ? &hf_field_names(s.model) : nullptr;
  if (valid.model) report_field_messages(model_problems, where.model, log, rename, nullptr);
  if (valid.cluster) report_field_messages(cluster_problems, where.cluster, log, nullptr, nullptr);
  const bool model = valid.model && model_problems.empty();
  const bool cluster = valid.cluster && cluster_problems.empty();
  const bool precision = valid.precision && check_precision(s.precision, where.precision, log);
  const bool training = valid.training && check_training(s.training, where.training, log);
  if (precision && cluster) check_precision_cluster(s.precision, s.cluster, where.precision, where.cluster, log);
  if (!valid.plan || !check_plan_alone(s.plan, where.plan, log)) return;
  if (model) check_plan_model(s.plan, s.model, where.plan, log);
  if (cluster) check_plan_cluster(s.plan, s.cluster, where.plan, where.cluster, log);
  if (model && training) check_routing(s, where.training, log);
  if (model && training) check_balancing(s, where.training, where.plan, log);
  if (model && cluster) check_redundant_experts(s, where.plan, log);
  if (!training) return;
  // Each phase against the plan it runs: its own (checked whole, reported
  // at the phase's "plan") or the scenario's.
  for (size_t i = 0; i < s.training.phases.size(); ++i) {
    const TrainingPhase& ph = s.training.phases[i];
    const JsonLocation phase_at = where.training / "phases" / i;
    const JsonLocation plan_at = ph.plan ? phase_at / "plan" : where.plan;
    const ParallelPlan& p = phase_plan(s, i);
    if (ph.plan) {
      if (!check_plan_alone(p, plan_at, log)) continue;
      if (model) check_plan_model(p, s.model, plan_at, log);
      if (cluster) check_plan_cluster(p, s.cluster, plan_at, where.cluster, log);
      const Scenario ps = phase_scenario(s, i);
      if (model && cluster) check_redundant_experts(ps, plan_at, log);
      if (model) check_balancing(ps, where.training, plan_at, log);
    }
    if (ph.kind == PhaseKind::kGeneration)
      check_generation_batch(p, ph, phase_at, plan_at, log);
    else
      check_phase_batch(p, ph, phase_at, plan_at, log);
  }
}

}  // namespace detail

Diagnostics validate_scenario(const Scenario& s, const ScenarioSources& where) {
  detail::ParseLog log;
  detail::check_scenario(s, where, detail::PartsValid{}, log);
  return log.diagnostics();
}

}  // namespace moesim
