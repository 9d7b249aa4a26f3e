#include "sim/trace/trace_compare.h"

#include <algorithm>
#include <map>

#include "sim/core/diagnostics.h"
#include "sim/cost/compute_model.h"
#include "sim/cost/stage_cost.h"
#include "sim/model/layer_graph.h"
#include "sim/sched/generators.h"
#include "sim/trace/trace_calibration.h"

namespace moesim {

using nlohmann::json;

namespace {

// The trace stage a des segment belongs to, from its name "<instruction> F
// L17.dispatch.notify" (moesim's segment names, sim/cost/chunk_chains.cpp, in
// the stage names of DeepSeek's trace and the shipped kernel map); "" for
// sends and non-layer units.
std::string stage_of(const std::string& task) {
  const size_t l = task.rfind(" L");
  if (l == std::string::npos || l < 2) return "";
  const char dir = task[l - 1];
  const size_t dot = task.find('.', l);
  if (dot == std::string::npos) return "";
  std::string part = task.substr(dot + 1);
  const size_t notify = part.find(".notify");
  if (notify != std::string::npos) part.resize(notify);
  static const std::map<std::string, std::string> kForward = {
      {"attn", "attn(F)"}, {"dispatch", "dispatch(F)"}, {"experts", "mlp(F)"}, {"combine", "combine(F)"}};
  static const std::map<std::string, std::string> kBackward = {
      {"combine_grad", "combine(B)"}, {"experts_grad", "mlp(B)"}, {"experts_wgrad", "mlp(W)"},
      {"dispatch_grad", "dispatch(B)"}, {"attn_grad", "attn(B)"}, {"attn_wgrad", "attn(W)"}};
  const auto& m = dir == 'F' ? kForward : kBackward;
  const auto it = m.find(part);
  return it == m.end() ? "" : it->second;
}

KernelClass comm_class_of(const std::string& task) {
  const bool notify = task.find(".notify") != std::string::npos;
  if (notify)
    return task.find(".dispatch.notify") != std::string::npos ? KernelClass::kEpNotifyDispatch
                                                              : KernelClass::kEpNotifyCached;
  // combine_grad goes out like a dispatch; dispatch_grad comes back like a combine.
  if (task.find(".combine_grad") != std::string::npos) return KernelClass::kEpDispatch;
  if (task.find(".dispatch_grad") != std::string::npos) return KernelClass::kEpCombine;
  if (task.find(".dispatch") != std::string::npos) return KernelClass::kEpDispatch;
  if (task.find(".combine") != std::string::npos) return KernelClass::kEpCombine;
  return KernelClass::kUnknown;
}

struct Pick {
  int rank = -1;
  size_t index = 0;
  Instruction instruction;
  int forward_layers = 0, backward_layers = 0;
};

Pick pick_pair(const Scenario& s, const Estimate& e, const StageCosts& costs, int trace_layers) {
  const Schedule sched = make_schedule(s.plan, e.phases.front().micro_batches);
  auto moe_only = [&](int stage) {
    const StageCost& st = costs.stages[static_cast<size_t>(stage)];
    return !st.has_embedding && !st.has_head && !st.has_mtp && st.dense_layers == 0 && st.moe_layers > 0;
  };
  Pick best;
  int best_distance = 1 << 30;
  for (int r = 0; r < sched.ranks; ++r) {
    const auto& list = sched.per_rank[static_cast<size_t>(r)];
    std::vector<size_t> pairs;
    for (size_t k = 0; k < list.size(); ++k)
      if (list[k].op == InstructionKind::kForwardBackward && moe_only(list[k].chunk.stage) &&
          moe_only(list[k].backward.stage))
        pairs.push_back(k);
    if (pairs.empty()) continue;
    const size_t k = pairs[pairs.size() / 2];
    const int f = costs.stages[static_cast<size_t>(list[k].chunk.stage)].moe_layers;
    const int b = costs.stages[static_cast<size_t>(list[k].backward.stage)].moe_layers;
    const int distance = std::abs(f - trace_layers) + std::abs(b - trace_layers);
    if (distance < best_distance) {
      best_distance = distance;
      best = {r, k, list[k], f, b};
    }
  }
  return best;
}

// The pair's tasks on its rank: those whose name starts with the instruction's.
std::vector<size_t> pair_tasks(const DesStep& d, int rank, const std::string& prefix) {
  std::vector<size_t> out;
  const auto& tasks = d.graph.graph.tasks();
  for (size_t t = 0; t < tasks.size(); ++t)
    if (tasks[t].gpu == rank && tasks[t].name.rfind(prefix, 0) == 0 &&
        tasks[t].kind != TaskKind::kCopy)
      out.push_back(t);
  return out;
}

}  // namespace

PairComparison compare_chunk_pair(const TraceSummary& t, const Scenario& s, const Estimate& e,
                                  const DesStep& d) {
  PairComparison c;
  const TrainingPhase& ph = s.training.phases.front();
  const StageCosts costs = price_stages(s, model_stage_count(s.plan), ph.seq_len, false);
  const StageSummary* fwd_attn = t.stage("attn(F)");
  c.trace_layers = fwd_attn ? fwd_attn->instances : 0;
  if (c.trace_layers == 0) {
    Diagnostics diag;
    diag.add(t.file, "", "the trace has no attn(F) stage: compare-trace needs a chunk pair "
                         "annotated as the kernel map's stages name it");
    throw InputError(diag);
  }
  const Pick p = pick_pair(s, e, costs, c.trace_layers);
  if (p.rank < 0) {
    Diagnostics diag;
    diag.add(s.name, "/plan/schedule", "no F&B chunk pair of MoE layers in this schedule: "
                                       "compare-trace needs DualPipe or DualPipeV with EP");
    throw InputError(diag);
  }
  c.rank = p.rank;
  c.instruction = to_string(p.instruction);
  c.forward_layers = p.forward_layers;
  c.backward_layers = p.backward_layers;

  const std::vector<size_t> tasks = pair_tasks(d, p.rank, c.instruction + " ");
  const auto& all = d.graph.graph.tasks();
  Seconds first = d.run.makespan, last;
  std::map<std::string, double> sim_us;
  std::map<KernelClass, double> sim_comm_us;
  for (size_t id : tasks) {
    const TaskRecord& r = d.run.tasks[id];
    first = min(first, r.start);
    last = max(last, r.end);
    const std::string stage = stage_of(all[id].name);
    if (stage.empty()) continue;
    const double us = seconds(r.end - r.start) * 1e6;
    const bool forward = stage.find("(F)") != std::string::npos;
    sim_us[stage] += us / (forward ? p.forward_layers : p.backward_layers);
    if (all[id].kind == TaskKind::kCommunication) {
      const KernelClass k = comm_class_of(all[id].name);
      sim_comm_us[k] += us / (forward ? p.forward_layers : p.backward_layers);
    }
  }
  c.simulated_span_us = seconds(last - first) * 1e6 / (0.5 * (p.forward_layers + p.backward_layers));
  c.measured_span_us = t.span_us / c.trace_layers;

  for (const char* name : {"attn(F)", "dispatch(F)", "mlp(F)", "combine(F)", "combine(B)", "mlp(B)",
                           "dispatch(B)", "mlp(W)", "attn(B)", "attn(W)"}) {
    StageComparison sc;
    sc.stage = name;
    if (const StageSummary* st = t.stage(name)) {
      sc.measured_us = st->busy_us / st->instances;
      sc.measured_present = true;
    }
    const auto it = sim_us.find(name);
    if (it != sim_us.end()) {
      sc.simulated_us = it->second;
      sc.simulated_present = true;
    }
    c.stages.push_back(sc);
  }
  for (const StageSummary& st : t.stages) {
    const bool listed = std::any_of(c.stages.begin(), c.stages.end(),
                                    [&](const StageComparison& x) { return x.stage == st.name; });
    if (!listed) c.stages.push_back({st.name, st.busy_us / st.instances, 0, true, false});
  }

  // Per op class: the op graph's priced time for one MoE layer's F, B (with
  // recomputation) and W, with the SMs communication leaves (in a DualPipe
  // pair nearly every kernel runs beside a communication kernel).
  const ComputeModel model(s.cluster.gpu, efficiency_table(s.cluster),
                           s.precision.kind == PrecisionKind::kFp8, s.plan.comm_sms);
  const ExpandContext ctx = expand_context(s, ph.seq_len);
  std::map<KernelClass, double> modeled;
  for (const Op& op : expand_layer(s.model, LayerKind::kMoe, ctx).ops) {
    const KernelClass k = kernel_class_of(op, ctx.fp8);
    Seconds w = model.time(op, Pass::kForward) + model.time(op, Pass::kBackwardInput) +
                model.time(op, Pass::kBackwardWeight);
    if (is_recomputed(s.plan.recompute, op)) w += model.time(op, Pass::kForward);
    modeled[k] += seconds(w) * 1e6;
  }
  for (const auto& [k, us] : sim_comm_us) modeled[k] = us;
  for (const auto& [k, time] : t.totals) {
    if (k == KernelClass::kIgnore || k == KernelClass::kUnknown) continue;
    c.classes.push_back({to_string(k), time.busy_us / c.trace_layers, modeled[k]});
  }
  return c;
}

ComparisonTimeline comparison_timeline(const KernelTrace& measured, const KernelMap& map,
                                       const Scenario& s, const DesStep& d,
                                       const PairComparison& c) {
  ComparisonTimeline out;
  out.measured_title = "measured: " + measured.file + " (" + measured.device + ")";
  out.simulated_title = "simulated: moesim des, " + s.name + ", rank " + std::to_string(c.rank) +
                        ", " + c.instruction;
  double t0 = measured.kernels.empty() ? 0 : measured.kernels.front().start_us;
  for (const TraceKernel& k : measured.kernels) t0 = std::min(t0, k.start_us);
  std::map<int, TimelineTrack> streams;
  for (const TraceKernel& k : measured.kernels) {
    TimelineTrack& track = streams[k.stream];
    track.id = k.stream;
    track.name = "stream " + std::to_string(k.stream);
    const std::string stage =
        k.annotations.empty()
            ? std::string()
            : measured.annotations[static_cast<size_t>(k.annotations.front())].name;
    track.spans.push_back(
        {k.start_us - t0, k.dur_us, k.name.substr(0, 120), to_string(map.classify(k.name)), stage});
  }
  for (auto& [id, track] : streams) out.measured.push_back(std::move(track));

  const std::vector<size_t> tasks = pair_tasks(d, c.rank, c.instruction + " ");
  Seconds first = d.run.makespan;
  for (size_t id : tasks) first = min(first, d.run.tasks[id].start);
  const auto& all = d.graph.graph.tasks();
  const std::pair<int, const char*> sim_streams[] = {
      {kComputeStream, "compute"}, {kCommunicationStream, "communication (EP)"}, {3, "pipeline send"}};
  for (const auto& [sid, name] : sim_streams) out.simulated.push_back({sid, name, {}});
  for (size_t id : tasks) {
    const TaskRecord& r = d.run.tasks[id];
    const std::string stage = stage_of(all[id].name);
    for (TimelineTrack& track : out.simulated)
      if (track.id == all[id].stream)
        track.spans.push_back({seconds(r.start - first) * 1e6, seconds(r.end - r.start) * 1e6,
                               all[id].name.substr(c.instruction.size() + 1),
                               stage.empty() ? std::string("other") : stage, stage});
  }
  return out;
}

TraceComparisonRun compare_trace(const Scenario& s, const KernelTrace& trace,
                                 const KernelMap& map) {
  TraceComparisonRun run;
  run.summary = summarize_trace(trace, map);
  const Estimate e = estimate(s);
  const DesStep d = simulate_step(s, e);
  run.pair = compare_chunk_pair(run.summary, s, e, d);
  run.timeline = comparison_timeline(trace, map, s, d, run.pair);
  return run;
}

json comparison_trace(const KernelTrace& measured, const KernelMap& map, const Scenario& s,
                      const DesStep& d, const PairComparison& c) {
  return comparison_trace_json(comparison_timeline(measured, map, s, d, c));
}

json comparison_trace_json(const ComparisonTimeline& tl) {
  json events = json::array();
  auto meta = [&](int pid, const std::string& name) {
    events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"tid", 0},
                      {"args", {{"name", name}}}});
  };
  meta(1, tl.measured_title);
  meta(2, tl.simulated_title);
  for (const TimelineTrack& track : tl.measured)
    for (const TimelineSpan& sp : track.spans)
      events.push_back({{"ph", "X"}, {"pid", 1}, {"tid", track.id}, {"name", sp.name},
                        {"cat", sp.category}, {"ts", sp.start_us}, {"dur", sp.dur_us},
                        {"args", {{"stage", sp.stage}}}});
  for (const TimelineTrack& track : tl.simulated)
    for (const TimelineSpan& sp : track.spans)
      events.push_back({{"ph", "X"}, {"pid", 2}, {"tid", track.id}, {"name", sp.name},
                        {"cat", sp.category}, {"ts", sp.start_us}, {"dur", sp.dur_us}});
  for (const TimelineTrack& track : tl.simulated)
    events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", 2}, {"tid", track.id},
                      {"args", {{"name", track.name}}}});
  return {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

}  // namespace moesim
