#pragma once
// From a summarized profiler trace to a calibration profile: each op class's
// measured time per stage instance (one layer) set against the work the op
// graph gives that class in that block and pass, for the scenario the trace
// was taken on (its model, micro-batch, EP, recomputation and precision).
//
//   compute classes (GEMMs, attention):
//     efficiency = FLOPs / (peak(dtype) x measured time x SM share), where the
//     SM share is 1 - comm_sms / sm_count for the part of the kernels' time a
//     communication kernel ran beside them (the compute model takes the same
//     SMs away again while communication runs);
//   memory classes (memory-bound ops, FP8 casts):
//     efficiency = bytes / (HBM bandwidth x measured time);
//   backward-for-input holds the recomputed forwards too: their time, at the
//     forward figures just derived, is taken off before the division;
//   DeepEP notify: the measured time per call;
//   DeepEP calls: the measured kernel time per call against the network
//     model's lone call for the plan (an in-training slowdown: HBM contention,
//     skew between ranks, other groups' traffic).
// Casts in a communication stage (the FP8 quantize before a gradient's
// dispatch) count with the mlp block. Kernel times are the inputs of this
// fit; step times are predictions (validation/ says so).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/model/op.h"
#include "sim/scenario/scenario.h"
#include "sim/trace/trace_summary.h"

namespace moesim {

struct CalibrationRow {
  std::string block;  // "attn", "mlp"
  StagePass pass = StagePass::kForward;
  KernelClass cls = KernelClass::kUnknown;
  int kernels = 0;
  double measured_us = 0;   // per layer
  double recompute_us = 0;  // of that, the recomputed forwards (at forward figures)
  double work = 0;          // per layer: FLOPs (compute classes) or bytes (memory classes)
  double sm_share = 1;
  double achieved = 0;      // TFLOPS or GB/s, at full SMs
  double efficiency = 0;    // of the peak; 0 when no figure was derived
  bool written = false;     // became a profile entry
  std::string note;         // why not, or what was clamped
};

struct TraceCalibration {
  nlohmann::json profile;        // moesim-calibration-1, in-training entries + the base
  std::vector<CalibrationRow> rows;
  double notify_dispatch_s = 0;  // per call
  double notify_cached_s = 0;
  double call_s[2] = {0, 0};        // DeepEP dispatch, combine kernel per call (measured)
  double call_model_s[2] = {0, 0};  // the network model's lone call
  std::vector<std::string> warnings;
};

// The kernel class a profiler trace shows an op as (FP8 GEMMs only under
// the FP8 recipe).
KernelClass kernel_class_of(const Op& op, bool fp8_recipe);

// REQUIRES: s validated. `trace_label` names the trace in the profile's source.
TraceCalibration calibrate_from_trace(const TraceSummary& t, const Scenario& s,
                                      const std::string& trace_label);

}  // namespace moesim
