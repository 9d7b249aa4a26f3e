#include "real/layer_report.h"

#include <ostream>

#include "sim/core/atomic_file.h"

namespace moesim::real {

using nlohmann::json;

namespace {

json stats_json(const TimingStats& s) {
  return json{{"median_s", s.median_s}, {"min_s", s.min_s},   {"max_s", s.max_s},
              {"p10_s", s.p10_s},       {"p90_s", s.p90_s},   {"mean_s", s.mean_s},
              {"repeats", s.repeats}};
}

json dims_json(const LayerDims& d) {
  json j = {{"hidden", d.hidden},
            {"q_lora_rank", d.q_lora_rank},
            {"kv_lora_rank", d.kv_lora_rank},
            {"heads", d.heads},
            {"qk_nope_head_dim", d.qk_nope_head_dim},
            {"qk_rope_head_dim", d.qk_rope_head_dim},
            {"v_head_dim", d.v_head_dim},
            {"seq", d.seq},
            {"batch", d.batch}};
  if (d.kind == LayerKindOption::kDense) {
    j["intermediate"] = d.dense_intermediate;
  } else {
    j["moe_intermediate"] = d.moe_intermediate;
    j["experts"] = d.experts;
    j["expert_groups"] = d.expert_groups;
    j["topk_groups"] = d.topk_groups;
    j["topk"] = d.topk;
    j["shared_experts"] = d.shared_experts;
  }
  return j;
}

}  // namespace

std::vector<LayerSkip> skipped_ops(const std::vector<LayerOp>& plan) {
  std::vector<LayerSkip> s;
  for (const LayerOp& op : plan)
    if (op.kernel == LayerKernel::kNone) s.push_back(LayerSkip{op.name, op.pass, op.reason});
  return s;
}

json layer_report_json(const LayerRun& run) {
  const LayerDims& d = run.dims;
  json ops = json::array();
  for (const LayerOpTiming& t : run.ops) {
    json o = stats_json(t.stats);
    o["name"] = t.op.name;
    o["pass"] = layer_pass_code(t.op.pass);
    o["kernel"] = layer_kernel_name(t.op.kernel);
    const GemmMnk g = layer_gemm_mnk(t.op);
    if (g.m > 0) {
      o["m"] = g.m;
      o["n"] = g.n;
      o["k"] = g.k;
      o["groups"] = t.op.groups;
    } else {
      o["rows"] = t.op.rows;
      o["cols"] = t.op.cols;
    }
    if (t.rows_run > 0) o["rows_run"] = t.rows_run;
    ops.push_back(o);
  }
  json skipped = json::array();
  for (const LayerSkip& s : run.skipped)
    skipped.push_back(json{{"name", s.name}, {"pass", layer_pass_code(s.pass)},
                           {"reason", s.reason}});
  json j = {{"format", kLayerReportFormat},
            {"kind", d.kind == LayerKindOption::kDense ? "dense" : "moe"},
            {"scale", d.scale},
            {"tokens", d.tokens},
            {"dims", dims_json(d)},
            {"fwd_s", run.fwd.median_s},
            {"bwd_input_s", run.bwd_input.median_s},
            {"bwd_weight_s", run.bwd_weight.median_s},
            {"passes", json{{"fwd", stats_json(run.fwd)},
                            {"bwd_input", stats_json(run.bwd_input)},
                            {"bwd_weight", stats_json(run.bwd_weight)}}},
            {"ops", ops},
            {"skipped", skipped},
            {"device", device_record_json(run.device)},
            {"timing", json{{"warmup", run.timing.warmup},
                            {"repeats", run.timing.repeats},
                            {"method", run.method}}},
            {"source", "moesim-real layer: kernels/ (cuBLASLt FP8/BF16 GEMMs and the project's "
                       "kernels) on " + run.device.name + " (" + run.device.date + ")"}};
  if (run.routing)
    j["routing"] = json{{"rows_run", run.routing->rows_run},
                        {"min_expert_rows", run.routing->min_expert_rows},
                        {"max_expert_rows", run.routing->max_expert_rows}};
  return j;
}

void write_layer_report(const std::string& path, const LayerRun& run, std::ostream& out) {
  const std::string text = layer_report_json(run).dump(2) + "\n";
  if (path.empty()) {
    out << text;
    return;
  }
  write_file_atomically(path, text);
}

}  // namespace moesim::real
