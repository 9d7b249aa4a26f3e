#include "sim/hw/calibration_profile.h"

#include <cmath>

#include "sim/core/diagnostics.h"
#include "sim/core/json_checks.h"

namespace moesim {

using nlohmann::json;

const char* to_string(CalibratedOp op) {
  switch (op) {
    case CalibratedOp::kGemm: return "gemm";
    case CalibratedOp::kAttention: return "attention";
    case CalibratedOp::kMemory: return "memory";
    case CalibratedOp::kFp8Cast: return "fp8_cast";
    case CalibratedOp::kEpNotify: return "ep_notify";
    case CalibratedOp::kEpCall: return "ep_call";
  }
  return "?";
}

const char* to_string(CalibratedPass p) {
  switch (p) {
    case CalibratedPass::kAny: return "any";
    case CalibratedPass::kForward: return "forward";
    case CalibratedPass::kInputGrad: return "input_grad";
    case CalibratedPass::kWeightGrad: return "weight_grad";
  }
  return "?";
}

const char* to_string(CalibratedBlock b) {
  switch (b) {
    case CalibratedBlock::kAny: return "any";
    case CalibratedBlock::kAttn: return "attn";
    case CalibratedBlock::kMlp: return "mlp";
  }
  return "?";
}

namespace {

bool positive_number(const json& j, const char* key, const std::string& file,
                     const std::string& at, Diagnostics& d, double* out) {
  if (!j.contains(key)) return false;
  const json& v = j[key];
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() <= 0) {
    d.add(file, at + "/" + key, "expected a number > 0, found " + v.dump());
    return false;
  }
  *out = v.get<double>();
  return true;
}

// The string at `key`, `fallback` when absent; any other type is an error
// (reported once, then `fallback`).
std::string string_field(const json& j, const char* key, const std::string& fallback,
                         const std::string& file, const std::string& at, Diagnostics& d) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_string()) {
    d.add(file, at + "/" + key, "expected a string, found " + j[key].dump());
    return fallback;
  }
  return j[key].get<std::string>();
}

// An ep_notify entry into p.ep_notify, an ep_call one into p.ep_call (the two
// directions may come in two entries; all must name the same ep and nodes).
void parse_ep_figure(const json& e, CalibratedOp op, const std::string& file,
                     const std::string& at, Diagnostics& d, CalibrationProfile& p) {
  const bool notify = op == CalibratedOp::kEpNotify;
  const std::string dir = string_field(e, "direction", "", file, at, d);
  const char* first = notify ? "dispatch" : "dispatch";
  const char* second = notify ? "cached" : "combine";
  if (dir != first && dir != second) {
    d.add(file, at + "/direction",
          std::string("expected \"") + first + "\" or \"" + second + "\", found " +
              (e.contains("direction") ? e["direction"].dump() : std::string("nothing")));
    return;
  }
  double t = 0, model = 0, ep = 0, nodes = 0;
  if (!positive_number(e, "time_s", file, at, d, &t)) {
    d.add(file, at + "/time_s", "expected the measured seconds per call (a number > 0)");
    return;
  }
  if (!notify && !positive_number(e, "model_s", file, at, d, &model)) {
    d.add(file, at + "/model_s", "expected the network model's seconds per call (a number > 0)");
    return;
  }
  const bool where = positive_number(e, "ep", file, at, d, &ep) &
                     positive_number(e, "nodes", file, at, d, &nodes);
  if (!where || ep != std::floor(ep) || nodes != std::floor(nodes) || ep > 1e6 || nodes > ep) {
    d.add(file, at, "expected integer \"ep\" >= \"nodes\" >= 1 (where measured)");
    return;
  }
  const int ep_i = static_cast<int>(ep), nodes_i = static_cast<int>(nodes);
  const std::string source = string_field(e, "source", "", file, at, d);
  auto same_place = [&](int fe, int fn) {
    if (fe == 0 || (fe == ep_i && fn == nodes_i)) return true;
    d.add(file, at, std::string(to_string(op)) + " entries of one profile must name the same ep and nodes");
    return false;
  };
  if (notify) {
    EpNotifyFigure f = p.ep_notify.value_or(EpNotifyFigure{});
    if (!same_place(f.ep, f.nodes)) return;
    f.ep = ep_i;
    f.nodes = nodes_i;
    (dir == "dispatch" ? f.dispatch_s : f.cached_s) = t;
    if (f.source.empty()) f.source = source;
    p.ep_notify = f;
  } else {
    EpCallFigure f = p.ep_call.value_or(EpCallFigure{});
    if (!same_place(f.ep, f.nodes)) return;
    f.ep = ep_i;
    f.nodes = nodes_i;
    if (t / model > 100 || t / model < 0.01) {
      d.add(file, at, "time_s / model_s is outside [0.01, 100]: not the same call");
      return;
    }
    (dir == "dispatch" ? f.dispatch_slowdown : f.combine_slowdown) = t / model;
    if (f.source.empty()) f.source = source;
    p.ep_call = f;
  }
}

}  // namespace

CalibrationProfile parse_calibration_profile(const json& j, const std::string& file) {
  Diagnostics d;
  CalibrationProfile p;
  p.file = file;
  if (!j.is_object()) {
    d.add(file, "", "expected a JSON object (a calibration profile)");
    throw InputError(d);
  }
  report_unknown_keys(j, file, "", {"format", "gpu", "measured", "device", "source", "entries", "about", "overlap"},
                     d);
  if (j.contains("overlap")) {
    const json& o = j["overlap"];
    if (!o.is_object()) {
      d.add(file, "/overlap", "expected an object with \"compute_slowdown\" and \"source\"");
    } else {
      report_unknown_keys(o, file, "/overlap", {"compute_slowdown", "source", "comm_sms", "about"},
                          d);
      const json& v = o.contains("compute_slowdown") ? o["compute_slowdown"] : json();
      if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0 ||
          v.get<double>() >= 1)
        d.add(file, "/overlap/compute_slowdown",
              "expected a number in [0, 1) (the share of compute speed lost while "
              "communication runs), found " +
                  (v.is_null() ? std::string("nothing") : v.dump()));
      else
        p.overlap_slowdown = v.get<double>();
      if (!o.contains("source") || !o["source"].is_string() || o["source"].get<std::string>().empty())
        d.add(file, "/overlap/source", "expected where the figure comes from (a string)");
      else
        p.overlap_source = o["source"];
    }
  }
  if (!j.contains("format") || !j["format"].is_string() ||
      j["format"].get<std::string>() != "moesim-calibration-1")
    d.add(file, "/format", "expected \"moesim-calibration-1\", found " +
                               (j.contains("format") ? j["format"].dump() : std::string("nothing")));
  if (!j.contains("gpu") || !j["gpu"].is_string()) {
    d.add(file, "/gpu", "expected the catalog name of the GPU (e.g. \"H800\")");
  } else if (const GpuSpec* g = find_gpu(j["gpu"])) {
    p.gpu = *g;
  } else {
    const std::string hint = closest_match(j["gpu"], gpu_names());
    d.add(file, "/gpu", "unknown GPU " + j["gpu"].dump() +
                            (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
  }
  if (j.contains("measured")) {
    if (!j["measured"].is_boolean())
      d.add(file, "/measured", "expected true or false");
    else
      p.measured = j["measured"];
  }
  if (j.contains("device")) {
    if (!j["device"].is_object())
      d.add(file, "/device", "expected an object (name, driver, cuda, clocks, date)");
    else
      p.device = j["device"];
  }
  if (p.measured)
    for (const char* k : {"name", "driver", "date"})
      if (!p.device.contains(k))
        d.add(file, "/device", std::string("a measured profile must record the device's \"") + k +
                                   "\"");
  p.source = string_field(j, "source", "", file, "", d);
  if (!j.contains("entries") || !j["entries"].is_array() || j["entries"].empty()) {
    d.add(file, "/entries", "expected a non-empty array of measurements");
    throw InputError(d);
  }
  for (size_t i = 0; i < j["entries"].size(); ++i) {
    const json& e = j["entries"][i];
    const std::string at = "/entries/" + std::to_string(i);
    if (!e.is_object()) {
      d.add(file, at, "expected an object");
      continue;
    }
    report_unknown_keys(e, file, at,
                        {"op", "dtype", "m", "n", "k", "groups", "time_s", "tflops", "gb_per_s",
                         "name", "source", "pass", "block", "direction", "ep", "nodes", "kernels",
                         "measured_s", "model_s"},
                        d);
    CalibrationEntry c;
    const std::string op = string_field(e, "op", "", file, at, d);
    if (op == "gemm") {
      c.op = CalibratedOp::kGemm;
    } else if (op == "attention") {
      c.op = CalibratedOp::kAttention;
    } else if (op == "memory") {
      c.op = CalibratedOp::kMemory;
    } else if (op == "fp8_cast") {
      c.op = CalibratedOp::kFp8Cast;
    } else if (op == "ep_notify") {
      c.op = CalibratedOp::kEpNotify;
    } else if (op == "ep_call") {
      c.op = CalibratedOp::kEpCall;
    } else {
      d.add(file, at + "/op",
            "expected \"gemm\", \"attention\", \"memory\", \"fp8_cast\", \"ep_notify\" or "
            "\"ep_call\", "
            "found " +
                (e.contains("op") ? e["op"].dump() : std::string("nothing")));
      continue;
    }
    c.name = string_field(e, "name", "", file, at, d);
    c.source = string_field(e, "source", "", file, at, d);
    if (c.op == CalibratedOp::kEpNotify || c.op == CalibratedOp::kEpCall) {
      parse_ep_figure(e, c.op, file, at, d, p);
      continue;
    }
    const std::string pass = string_field(e, "pass", "", file, at, d);
    if (pass == "forward") c.pass = CalibratedPass::kForward;
    else if (pass == "input_grad") c.pass = CalibratedPass::kInputGrad;
    else if (pass == "weight_grad") c.pass = CalibratedPass::kWeightGrad;
    else if (!pass.empty())
      d.add(file, at + "/pass", "expected \"forward\", \"input_grad\" or \"weight_grad\", found " +
                                    e["pass"].dump());
    const std::string block = string_field(e, "block", "", file, at, d);
    if (block == "attn") c.block = CalibratedBlock::kAttn;
    else if (block == "mlp") c.block = CalibratedBlock::kMlp;
    else if (!block.empty())
      d.add(file, at + "/block", "expected \"attn\" or \"mlp\", found " + e["block"].dump());
    if (!block.empty() && pass.empty())
      d.add(file, at + "/block", "a block is given only with a \"pass\" (in-training entries)");
    const bool memory_like = c.op == CalibratedOp::kMemory || c.op == CalibratedOp::kFp8Cast;
    const std::string dtype = string_field(e, "dtype", memory_like ? "bf16" : "", file, at, d);
    if (dtype != "fp8" && dtype != "bf16") {
      d.add(file, at + "/dtype", "expected \"fp8\" or \"bf16\"");
      continue;
    }
    c.fp8 = dtype == "fp8";
    double time = 0, tflops = 0, gbps = 0;
    const bool has_t = positive_number(e, "time_s", file, at, d, &time);
    const bool has_f = positive_number(e, "tflops", file, at, d, &tflops);
    const bool has_b = positive_number(e, "gb_per_s", file, at, d, &gbps);
    if (c.op == CalibratedOp::kGemm && !c.in_training()) {
      const bool shape = positive_number(e, "m", file, at, d, &c.m) &
                         positive_number(e, "n", file, at, d, &c.n) &
                         positive_number(e, "k", file, at, d, &c.k);
      if (!shape) {
        d.add(file, at, "a GEMM entry needs m, n and k (numbers > 0), or a \"pass\" (in-training)");
        continue;
      }
      if (e.contains("groups")) {
        if (!e["groups"].is_number_integer() || e["groups"].get<long>() < 1)
          d.add(file, at + "/groups", "expected an integer >= 1");
        else
          c.groups = e["groups"];
      }
    }
    if (p.gpu.name.empty()) continue;  // cannot turn throughput into efficiency
    const double peak = flops_per_s(c.fp8 ? p.gpu.peak_fp8 : p.gpu.peak_bf16);
    if (memory_like) {
      if (has_b + has_t + has_f != 1 || !has_b) {
        d.add(file, at, std::string("a ") + to_string(c.op) + " entry needs exactly \"gb_per_s\"");
        continue;
      }
      c.efficiency = gbps * 1e9 / bytes_per_s(p.gpu.hbm_bandwidth);
    } else {
      if (has_t + has_f != 1 || has_b) {
        d.add(file, at, "expected exactly one of \"time_s\" or \"tflops\"");
        continue;
      }
      if (c.fp8 && peak <= 0) {
        d.add(file, at + "/dtype", p.gpu.name + " has no FP8 peak");
        continue;
      }
      if (has_t && (c.op != CalibratedOp::kGemm || c.in_training())) {
        d.add(file, at + "/time_s", "only GEMM shape entries give \"time_s\" (no shape to count "
                                    "FLOPs): give \"tflops\"");
        continue;
      }
      const double achieved = has_f ? tflops * 1e12 : 2.0 * c.m * c.n * c.k * c.groups / time;
      c.efficiency = achieved / peak;
    }
    if (c.efficiency > 1.0 + 1e-9)
      d.add(file, at, "achieves " + std::to_string(c.efficiency * 100).substr(0, 5) +
                          "% of the " + p.gpu.name + " peak: above the datasheet");
    if (c.in_training() || c.op == CalibratedOp::kFp8Cast) {
      p.in_training.push_back(c);
      continue;
    }
    p.entries.push_back(c);
  }
  d.throw_if_any();
  return p;
}

CalibrationProfile load_calibration_profile(const std::string& path) {
  Diagnostics d;
  const json j = read_json_file(path, path, d);
  d.throw_if_any();
  return parse_calibration_profile(j, path);
}

}  // namespace moesim
