#include "sim/sweep/sweep_row.h"

#include "sim/core/diagnostics.h"
#include "sim/cost/estimate.h"
#include "sim/report/report.h"
#include "sim/scenario/scenario_json.h"
#include "sim/step/des_step.h"
#include "sim/sweep/sweep_points.h"

namespace moesim {

using nlohmann::json;

namespace {

const std::vector<std::string>& report_columns() {
  static const std::vector<std::string> cols = {
      "fidelity", "moesim_version", "scenario", "gpu", "num_gpus", "pp", "ep", "dp", "tp",
      "schedule", "precision", "micro_batches", "step_time_s", "tokens_per_s", "mfu",
      "memory_per_gpu_bytes", "fits", "gpu_hours", "cost_usd", "wall_time_s",
      "gpu_hours_per_trillion_tokens", "compute_s", "exposed_comm_s", "bubble_s", "dp_sync_s",
      "optimizer_s"};
  return cols;
}

std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  }
  return v.dump();
}

std::string violated(const SweepConstraints& c, const Estimate& e) {
  if (c.must_fit && !e.fits) return "does not fit in GPU memory";
  if (c.min_gpus && e.num_gpus < *c.min_gpus) return "fewer GPUs than min_gpus";
  if (c.max_gpus && e.num_gpus > *c.max_gpus) return "more GPUs than max_gpus";
  if (c.max_wall_days && seconds(e.wall_time) / 86400.0 > *c.max_wall_days)
    return "wall time above max_wall_days";
  if (c.max_cost_usd && e.cost_usd > *c.max_cost_usd) return "cost above max_cost_usd";
  return "";
}

}  // namespace

std::string parameter_column(const std::string& path) {
  std::string c = path.substr(path.empty() ? 0 : 1);
  for (char& ch : c)
    if (ch == '/') ch = '.';
  return c;
}

std::vector<std::string> sweep_columns(const SweepSpec& s) {
  std::vector<std::string> cols = {"index", "status", "reason"};
  for (const auto& p : s.parameters) cols.push_back(parameter_column(p.path));
  const auto& r = report_columns();
  cols.insert(cols.end(), r.begin(), r.end());
  return cols;
}

SweepRow evaluate_point(const SweepSpec& s, uint64_t index) {
  SweepRow row;
  row.index = index;
  json& f = row.fields;
  f["index"] = index;
  const std::vector<json> values = point_values(s, index);
  for (size_t i = 0; i < values.size(); ++i) f[parameter_column(s.parameters[i].path)] = values[i];
  f["fidelity"] = s.des ? "des" : "analytic";
  f["moesim_version"] = kMoesimVersion;
  Scenario sc;
  try {
    sc = parse_scenario(point_scenario(s, values), s.base_path, s.base_dir);
  } catch (const InputError& e) {
    f["status"] = "invalid";
    const auto& items = e.diagnostics().items();
    f["reason"] = items.empty() ? std::string("invalid") : items.front().path + ": " +
                                                               items.front().message;
    return row;
  }
  Estimate e;
  try {
    e = s.des ? des_estimate(sc) : estimate(sc);
  } catch (const std::exception& x) {
    // The simulation itself failed (its network child died or stalled): a
    // row that says so, and the sweep goes on.
    f["status"] = "failed";
    f["reason"] = std::string(x.what()).substr(0, 400);
    return row;
  }
  f["scenario"] = sc.name;
  f["gpu"] = e.gpu;
  f["num_gpus"] = e.num_gpus;
  f["pp"] = sc.plan.pp;
  f["ep"] = sc.plan.ep;
  f["dp"] = sc.plan.dp;
  f["tp"] = sc.plan.tp;
  f["schedule"] = to_string(sc.plan.schedule);
  f["precision"] = to_string(sc.precision.kind);
  f["micro_batches"] = e.phases.empty() ? 0 : e.phases.front().micro_batches;
  f["step_time_s"] = seconds(e.step_time);
  f["tokens_per_s"] = e.tokens_per_s;
  f["mfu"] = e.mfu;
  f["memory_per_gpu_bytes"] = bytes(e.memory_per_gpu);
  f["fits"] = e.fits;
  f["gpu_hours"] = e.gpu_hours;
  f["cost_usd"] = e.cost_usd;
  f["wall_time_s"] = seconds(e.wall_time);
  f["gpu_hours_per_trillion_tokens"] = e.gpu_hours_per_trillion_tokens;
  f["compute_s"] = seconds(e.breakdown.compute);
  f["exposed_comm_s"] = seconds(e.breakdown.exposed_comm);
  f["bubble_s"] = seconds(e.breakdown.bubble);
  f["dp_sync_s"] = seconds(e.breakdown.dp_sync);
  f["optimizer_s"] = seconds(e.breakdown.optimizer);
  const std::string why = violated(s.constraints, e);
  f["status"] = why.empty() ? "ok" : "rejected";
  f["reason"] = why;
  return row;
}

std::string row_jsonl(const SweepRow& r) { return r.fields.dump(); }

std::string csv_header(const std::vector<std::string>& columns) {
  std::string h;
  for (size_t i = 0; i < columns.size(); ++i) h += (i ? "," : "") + csv_cell(json(columns[i]));
  return h;
}

std::string row_csv(const SweepRow& r, const std::vector<std::string>& columns) {
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) line += ",";
    auto it = r.fields.find(columns[i]);
    if (it != r.fields.end()) line += csv_cell(*it);
  }
  return line;
}

}  // namespace moesim
