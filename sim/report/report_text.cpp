// Text and Markdown renderings share one layout: a header, the step, memory per
// rank, phases and totals, then warnings and caveats. Markdown uses tables.
#include <sstream>

#include "sim/report/fidelity_difference.h"
#include "sim/report/format_units.h"
#include "sim/report/report.h"
#include "sim/report/step_timeline.h"

namespace moesim {

namespace {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

std::string render_table(const Table& t, bool md) {
  std::ostringstream o;
  if (md) {
    auto row = [&](const std::vector<std::string>& r) {
      o << "|";
      for (const auto& c : r) o << " " << c << " |";
      o << "\n";
    };
    row(t.header);
    o << "|";
    for (size_t i = 0; i < t.header.size(); ++i) o << "---|";
    o << "\n";
    for (const auto& r : t.rows) row(r);
    return o.str();
  }
  std::vector<size_t> w(t.header.size());
  for (size_t i = 0; i < w.size(); ++i) w[i] = t.header[i].size();
  for (const auto& r : t.rows)
    for (size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], r[i].size());
  auto row = [&](const std::vector<std::string>& r) {
    o << " ";
    for (size_t i = 0; i < r.size(); ++i) {
      o << " " << r[i];
      if (i + 1 < r.size()) o << std::string(w[i] - r[i].size() + 1, ' ');
    }
    o << "\n";
  };
  bool has_header = false;
  for (const auto& h : t.header) has_header |= !h.empty();
  if (has_header) row(t.header);
  for (const auto& r : t.rows) row(r);
  return o.str();
}

std::string share(Seconds part, Seconds total) {
  return fmt_seconds(seconds(part)) + " (" + fmt_percent(part / total) + ")";
}

std::string model_line(const ModelSpec& m, const ModelSummary& s) {
  std::string l = m.name + ": " + fmt_count(s.params_total) + " params (" +
                  fmt_count(s.params_activated) + " activated";
  if (m.mtp_depth > 0) l += ", MTP " + fmt_count(s.mtp_params);
  l += "), " + fmt_fixed(flops(s.train_flops_per_token) / 1e9, 1) + " GFLOP/token train at " +
       std::to_string(s.seq_len) + " tokens, KV cache " +
       fmt_fixed(bytes(s.kv_cache_bytes_per_token), 0) + " B/token";
  return l;
}

std::string times(double x) { return "x" + fmt_fixed(x, 2); }

std::string load_line(const ExpertLoad& l) {
  return times(l.compute) + " rows, " + times(l.receive) + " received tokens";
}

std::string routing_name(const RoutingSpec& r) {
  switch (r.popularity) {
    case ExpertPopularity::kUniform: return "uniform (exactly balanced)";
    case ExpertPopularity::kZipf:
      return "Zipf(" + fmt_fixed(r.zipf_exponent, 2) + "), seed " + std::to_string(r.seed);
    case ExpertPopularity::kHistogram: return "per-expert histogram, seed " + std::to_string(r.seed);
    case ExpertPopularity::kMeasured:
      return "measured loads, " + std::to_string(r.layer_loads.size()) + " layer(s), averaged";
  }
  return "?";
}

// "PP16 dualpipe x EP64 x DP128 x TP1", with CP where there is any.
std::string plan_line(const ParallelPlan& p) {
  return "PP" + std::to_string(p.pp) + " " + to_string(p.schedule) + " x EP" +
         std::to_string(p.ep) + (p.etp > 1 ? " (ETP" + std::to_string(p.etp) + ")" : "") +
         " x DP" + std::to_string(p.dp) + " x TP" + std::to_string(p.tp) +
         (p.cp > 1 ? " x CP" + std::to_string(p.cp) + " " + to_string(p.cp_kind) : "") +
         (p.ep_a2a_overlap ? ", EP a2a overlap" : "") +
         (p.shared_expert_overlap ? ", shared-expert overlap" : "") +
         (p.tp_comm_overlap ? ", TP comm overlap" : "") +
         (p.gathers_parameters() && !p.reshard_after_forward ? ", no reshard after forward" : "");
}

std::string heading(const std::string& t, bool md) { return md ? "\n## " + t + "\n\n" : "\n" + t + "\n"; }

}  // namespace

std::string render_estimate(const Scenario& s, const Estimate& e, ReportFormat f) {
  return render_estimate(s, e, f, "");
}

std::string render_estimate(const Scenario& s, const Estimate& e, ReportFormat f,
                            const std::string& preamble) {
  if (f == ReportFormat::kJson) return estimate_json(s, e).dump(2) + "\n";
  const bool md = f == ReportFormat::kMarkdown;
  std::ostringstream o;
  const auto& p = s.plan;
  o << (md ? "# " : "") << e.scenario << "\n";
  o << (md ? "\n" : "") << "moesim " << kMoesimVersion << ", " << e.fidelity << " fidelity\n";
  if (md) o << "\n";
  o << preamble;
  Table facts{{"", ""}, {}};
  facts.rows.push_back({"cluster", std::to_string(e.num_gpus) + " x " + e.gpu + " (" +
                                       std::to_string(s.cluster.num_nodes) + " nodes x " +
                                       std::to_string(s.cluster.gpus_per_node) + "), " +
                                       fmt_gib(bytes(e.hbm_capacity)) + " HBM each"});
  facts.rows.push_back({"plan", plan_line(p) + ", ZeRO-" + std::to_string(p.zero_stage) +
                                    ", micro-batch " + std::to_string(p.micro_batch_size) +
                                    ", " + std::to_string(p.comm_sms) + " SMs for communication"});
  facts.rows.push_back({"precision", std::string(to_string(s.precision.kind)) +
                                         (s.precision.dispatches_fp8() ? ", FP8 dispatch" : "")});
  facts.rows.push_back({"model", model_line(s.model, e.model)});
  o << render_table(facts, md);

  const Seconds total = e.step_time;
  o << heading("Step (first phase, full batch)", md);
  // des: the analytic figures beside the simulated ones, and why they differ.
  const bool both = e.analytic_step_time.has_value();
  Table step{both ? std::vector<std::string>{"figure", "value", "analytic", "des - analytic"}
                  : std::vector<std::string>{"figure", "value"},
             {}};
  auto compare = [&](const std::string& name, const std::string& value, Seconds des,
                     Seconds analytic) {
    std::vector<std::string> row{name, value};
    if (both) {
      row.push_back(fmt_seconds(seconds(analytic)));
      const Seconds d = des - analytic;
      row.push_back(d == Seconds() ? "0" : fmt_signed_seconds(seconds(d)));
    }
    step.rows.push_back(row);
  };
  compare("step time", fmt_seconds(seconds(e.step_time)), e.step_time,
          e.analytic_step_time.value_or(e.step_time));
  // A paired schedule's analytic step is already its executed schedule;
  // elsewhere the executed one cross-checks the bubble formula.
  if (!p.overlaps_comm())
    step.rows.push_back({"  executed schedule",
                         fmt_seconds(seconds(step_timeline(s, e).step_time())) +
                             " (the same costs run through the " + to_string(p.schedule) +
                             " instruction lists)"});
  step.rows.push_back({"tokens/s", fmt_si(e.tokens_per_s)});
  step.rows.push_back({"MFU", fmt_percent(e.mfu) + " (model FLOPs incl. MTP / BF16 dense peak)"});
  const TimeBreakdown& b = e.breakdown;
  const TimeBreakdown& ab = e.analytic_breakdown;
  compare("compute", share(b.compute, total), b.compute, ab.compute);
  compare("exposed communication", share(b.exposed_comm, total), b.exposed_comm, ab.exposed_comm);
  compare("pipeline bubble", share(b.bubble, total), b.bubble, ab.bubble);
  compare("DP sync", share(b.dp_sync, total), b.dp_sync, ab.dp_sync);
  compare("optimizer", share(b.optimizer, total), b.optimizer, ab.optimizer);
  o << render_table(step, md);
  const std::vector<std::string> why = fidelity_differences(e, p);
  if (!why.empty()) {
    o << heading("Why des and analytic differ", md);
    for (const std::string& w : why) o << (md ? "- " : "  - ") << w << "\n";
  }

  o << heading("Memory per GPU: " + fmt_gib(bytes(e.memory_per_gpu)) + " of " +
                   fmt_gib(bytes(e.hbm_capacity)) + (e.fits ? ", fits" : ", DOES NOT FIT"),
               md);
  Table mem{{"rank", "stages", "layers", "params", "weights", "grads", "optimizer", "activations",
             "total"},
            {}};
  for (const auto& r : e.ranks) {
    std::string st, layers;
    for (int si : r.stages) {
      const auto& sr = e.stages[si];
      st += (st.empty() ? "" : "+") + std::to_string(si);
      std::string l = std::to_string(sr.layers);
      if (sr.embedding) l += "+emb";
      if (sr.head) l += "+head";
      if (sr.mtp) l += "+mtp";
      layers += (layers.empty() ? "" : ", ") + l;
    }
    mem.rows.push_back({std::to_string(r.rank), st, layers, fmt_count(r.params),
                        fmt_gib(bytes(r.memory.weights)), fmt_gib(bytes(r.memory.gradients)),
                        fmt_gib(bytes(r.memory.optimizer)), fmt_gib(bytes(r.memory.activations)),
                        fmt_gib(bytes(r.memory.total()))});
  }
  o << render_table(mem, md);

  o << heading("Training phases", md);
  // Phases with plans of their own get the plan and memory columns.
  bool own_plans = false;
  for (const auto& x : e.phases) own_plans = own_plans || x.own_plan;
  std::vector<std::string> cols{"phase", "tokens", "steps", "step time", "wall time", "GPU-hours",
                                "cost"};
  if (own_plans) cols.insert(cols.begin() + 1, {"seq", "plan", "memory"});
  Table ph{cols, {}};
  bool generation = false;
  for (const auto& x : e.phases) {
    const bool gen = x.kind == PhaseKind::kGeneration;
    generation = generation || gen;
    std::vector<std::string> row{gen ? x.name + " (generation)" : x.name, fmt_count(x.tokens),
                                 fmt_fixed(x.steps, 0),
                                 fmt_seconds(seconds(x.step_time)),
                                 fmt_seconds(seconds(x.wall_time)), fmt_si(x.gpu_hours),
                                 fmt_usd(x.cost_usd)};
    if (own_plans)
      row.insert(row.begin() + 1, {fmt_count(x.seq_len), plan_line(x.plan),
                                   fmt_gib(bytes(x.memory_per_gpu))});
    ph.rows.push_back(row);
  }
  std::vector<std::string> sum{"total", "", "", "", fmt_seconds(seconds(e.wall_time)),
                               fmt_si(e.gpu_hours), fmt_usd(e.cost_usd)};
  if (own_plans) sum.insert(sum.begin() + 1, {"", "", ""});
  ph.rows.push_back(sum);
  o << render_table(ph, md);
  o << (md ? "\n" : "  ") << fmt_si(e.gpu_hours_per_trillion_tokens)
    << " GPU-hours per trillion tokens at $" << fmt_fixed(s.training.price_per_gpu_hour_usd, 2)
    << " per GPU-hour\n";
  if (generation)
    o << (md ? "\n" : "  ")
      << "generation phases: tokens are generated ones and a step is one batch's prefill and "
         "decode (an approximation, analytic); their GPU-hours count in the total, their "
         "tokens not in the per-trillion figure\n";

  if (e.load) {
    const LoadReport& l = *e.load;
    o << heading("Expert load (busiest EP rank / mean, first phase's micro-batch)", md);
    Table t{{"figure", "value"}, {}};
    t.rows.push_back({"routing", routing_name(s.training.routing)});
    if (l.redundant_experts > 0)
      t.rows.push_back({"redundant experts", std::to_string(l.redundant_experts) +
                                                 " copies placed by EPLB's policy"});
    std::string bal = to_string(l.balancing);
    if (l.balancing == BalancingMethod::kAuxFree) bal += ", gamma " + fmt_fixed(l.gamma, 4);
    if (l.balancing == BalancingMethod::kCapacity)
      bal += ", capacity factor " + fmt_fixed(l.capacity_factor, 2);
    t.rows.push_back({"balancing", bal});
    t.rows.push_back({"headline step", load_line(l.steady)});
    if (l.balancing == BalancingMethod::kCapacity)
      t.rows.push_back({"dropped", fmt_percent(l.steady.dropped) + " of expert applications every step"});
    if (l.balancing == BalancingMethod::kAuxFree && l.steps_simulated > 0) {
      std::string first = load_line(l.start);
      if (l.start_step_time > Seconds())
        first += ": step " + fmt_seconds(seconds(l.start_step_time)) +
                 (e.fidelity == "des" ? " (analytic)" : "") + ", " +
                 fmt_gib(bytes(l.start_memory)) + " on the largest rank";
      t.rows.push_back({"run's first step", first});
      std::string dyn = "expected imbalance " + times(l.start_imbalance) + " -> " +
                        times(l.steady_imbalance) + "; ";
      dyn += l.steps_to_5pct >= 0
                 ? "within 5% of even from step " + fmt_count(l.steps_to_5pct)
                 : std::string("not within 5% of even");
      dyn += " of " + fmt_count(l.run_steps) +
             (l.steady_reached ? ", steady after " + fmt_count(l.steps_simulated)
                               : ", " + fmt_count(l.steps_simulated) + " simulated");
      t.rows.push_back({"bias dynamics", dyn});
      t.rows.push_back({"balancing transient",
                        "+" + fmt_si(l.transient_gpu_hours) + " GPU-hours (" +
                            fmt_fixed(e.gpu_hours > 0 ? 100 * l.transient_gpu_hours / e.gpu_hours : 0, 2) + "%" +
                            " of the run)"});
    }
    o << render_table(t, md);
  }

  if (!e.warnings.empty()) {
    o << heading("Warnings", md);
    for (const auto& w : e.warnings) o << (md ? "- " : "  - ") << w << "\n";
  }
  o << heading("What this estimate cannot be trusted for yet", md);
  for (const auto& c : e.caveats) o << (md ? "- " : "  - ") << c << "\n";
  return o.str();
}

std::string render_model(const ModelSpec& m, const ModelSummary& s, ReportFormat f) {
  if (f == ReportFormat::kJson) return model_json(m, s).dump(2) + "\n";
  const bool md = f == ReportFormat::kMarkdown;
  std::ostringstream o;
  o << (md ? "# " : "") << m.name << "\n" << (md ? "\n" : "");
  Table t{{"figure", "value"}, {}};
  t.rows.push_back({"attention", std::string(to_string(m.attention.kind)) + ", " +
                                     std::to_string(m.attention.num_heads) + " heads"});
  t.rows.push_back({"layers", std::to_string(m.num_layers) + " (" +
                                  std::to_string(s.num_dense_layers) + " dense, " +
                                  std::to_string(s.num_moe_layers) + " MoE)"});
  if (m.moe.enabled())
    t.rows.push_back({"experts", std::to_string(m.moe.num_shared_experts) + " shared + " +
                                     std::to_string(m.moe.num_routed_experts) + " routed, top-" +
                                     std::to_string(m.moe.top_k)});
  t.rows.push_back({"parameters (total, no MTP)", fmt_count(s.params_total)});
  t.rows.push_back({"parameters (activated)", fmt_count(s.params_activated)});
  if (m.mtp_depth > 0) t.rows.push_back({"MTP parameters (unique)", fmt_count(s.mtp_params)});
  t.rows.push_back({"train FLOPs/token at " + std::to_string(s.seq_len),
                    fmt_fixed(flops(s.train_flops_per_token) / 1e9, 1) + " GFLOP"});
  if (m.mtp_depth > 0)
    t.rows.push_back({"MTP train FLOPs/token",
                      fmt_fixed(flops(s.mtp_train_flops_per_token) / 1e9, 1) + " GFLOP"});
  t.rows.push_back({"KV cache/token (BF16)",
                    fmt_fixed(bytes(s.kv_cache_bytes_per_token), 0) + " B"});
  o << render_table(t, md);
  return o.str();
}

}  // namespace moesim
