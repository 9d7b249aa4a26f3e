#include "sim/hw/efficiency_table.h"

#include <cmath>
#include <vector>

namespace moesim {

double EfficiencyTable::gemm_efficiency(double m, double n, double k, bool fp8) const {
  const std::optional<EfficiencyFit>& f = (!fp8 && gemm_bf16) ? gemm_bf16 : gemm_fp8;
  return f ? f->at(m, n, k) : 1.0;
}

std::optional<double> EfficiencyTable::in_training_efficiency(CalibratedOp op, bool fp8,
                                                              CalibratedPass pass,
                                                              CalibratedBlock block) const {
  if (in_training.empty()) return std::nullopt;
  for (const auto& key : {std::make_tuple(op, fp8, pass, block),
                          std::make_tuple(op, fp8, pass, CalibratedBlock::kAny),
                          std::make_tuple(op, fp8, CalibratedPass::kAny, CalibratedBlock::kAny)}) {
    const auto it = in_training.find(key);
    if (it != in_training.end()) return it->second;
  }
  return std::nullopt;
}

namespace {

double geometric_mean(const std::vector<CalibrationEntry>& es) {
  double s = 0;
  for (const auto& e : es) s += std::log(e.efficiency);
  return std::exp(s / static_cast<double>(es.size()));
}

EfficiencyTable make_published() {
  const CalibrationProfile p = parse_calibration_profile(
      nlohmann::json::parse(published_h800_profile_json()),
      "validation/calibration/h800-published.json");
  EfficiencyTable t = efficiency_table_from_profile(p);
  t.name = "published";
  return t;
}

EfficiencyTable make_datasheet() {
  EfficiencyTable t;
  t.name = "datasheet";
  t.source = "roofline: every kernel at its datasheet peak";
  return t;
}

}  // namespace

EfficiencyTable efficiency_table_from_profile(const CalibrationProfile& p) {
  EfficiencyTable t;
  t.name = p.file;
  t.source = p.source;
  t.gpu = p.gpu.name;
  t.measured = p.measured;
  std::vector<CalibrationEntry> fp8, bf16, attention, memory;
  for (const auto& e : p.entries) {
    switch (e.op) {
      case CalibratedOp::kGemm: (e.fp8 ? fp8 : bf16).push_back(e); break;
      case CalibratedOp::kAttention: attention.push_back(e); break;
      case CalibratedOp::kMemory: memory.push_back(e); break;
      case CalibratedOp::kFp8Cast:
      case CalibratedOp::kEpNotify:
      case CalibratedOp::kEpCall: break;  // in-training only (parse_calibration_profile)
    }
  }
  if (!fp8.empty()) t.gemm_fp8 = EfficiencyFit::fit(fp8);
  if (!bf16.empty()) t.gemm_bf16 = EfficiencyFit::fit(bf16);
  if (!attention.empty()) t.attention = geometric_mean(attention);
  if (!memory.empty()) t.memory = geometric_mean(memory);
  t.interference = p.overlap_slowdown;
  for (const auto& e : p.in_training) t.in_training[{e.op, e.fp8, e.pass, e.block}] = e.efficiency;
  t.ep_notify = p.ep_notify;
  t.ep_call = p.ep_call;
  return t;
}

std::string describe(const EfficiencyTable& t) {
  if (!t.gemm_fp8 && !t.gemm_bf16 && !t.attention && !t.memory)
    return "every op at its datasheet roofline (no calibration)";
  // A trace-calibrated profile keeps the published shape entries beside its
  // in-training figures (sim/trace/trace_calibration.h).
  const bool measured_shapes = t.measured && t.in_training.empty();
  const std::string how = std::string(measured_shapes ? "measured" : "published") + " " + t.gpu;
  auto fitted = [&](const std::optional<EfficiencyFit>& f) {
    return "fitted to " + std::to_string(f->points()) + " " + how + " shapes";
  };
  std::string s = "FP8 GEMMs " + (t.gemm_fp8 ? fitted(t.gemm_fp8) : "at the roofline (not measured)");
  s += "; BF16 GEMMs " + (t.gemm_bf16  ? fitted(t.gemm_bf16)
                          : t.gemm_fp8 ? std::string("estimated from the FP8 curve")
                                       : std::string("at the roofline (not measured)"));
  s += "; attention " + (t.attention ? "from " + how + " figures" : "at the roofline (not measured)");
  s += "; memory-bound ops " + (t.memory ? "from " + how + " figures" : "at the roofline (not measured)");
  if (!t.in_training.empty())
    s = std::to_string(t.in_training.size()) +
        " in-training figures per op class, pass and block from a profiler trace (" + t.gpu +
        ") where they apply, applied at every shape, sequence length and plan (one "
        "compute stream: kernels the trace ran on a second stream are priced on the "
        "first); otherwise " + s;
  if (t.ep_notify)
    s += "; DeepEP notify from the trace (EP" + std::to_string(t.ep_notify->ep) + " over " +
         std::to_string(t.ep_notify->nodes) +
         " nodes; other EP sizes scaled by their node count, an assumption; measured under "
         "DualPipe, where it includes waiting for the slowest EP peer, and applied as is to "
         "every schedule)";
  if (t.ep_call)
    s += "; DeepEP calls slowed to the trace's in-training times (x" +
         std::to_string(t.ep_call->dispatch_slowdown).substr(0, 4) + " dispatch, x" +
         std::to_string(t.ep_call->combine_slowdown).substr(0, 4) +
         " combine, applied at every EP size)";
  return s;
}

const EfficiencyTable& published_h800_efficiency() {
  static const EfficiencyTable t = make_published();
  return t;
}

const EfficiencyTable& datasheet_efficiency() {
  static const EfficiencyTable t = make_datasheet();
  return t;
}

const EfficiencyTable& efficiency_table_named(const std::string& name) {
  if (name == "datasheet") return datasheet_efficiency();
  return published_h800_efficiency();
}

}  // namespace moesim
