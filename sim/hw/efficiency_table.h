#pragma once
// Achieved fraction of a datasheet peak per class of op, from a calibration
// profile (sim/hw/calibration_profile.h) fitted by EfficiencyFit. Two tables
// ship:
//  - "published": DeepSeek's published H800 kernel throughputs (DeepGEMM FP8
//    GEMMs, FlashMLA attention and memory bandwidth), the profile
//    validation/calibration/h800-published.json compiled into the binary, and
//    applied to any GPU as fractions of that GPU's own peaks;
//  - "datasheet": every efficiency 1.0 (the roofline), as an upper bound.
// A measured profile (written by real/) gives a table of its own.

#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "sim/hw/calibration_profile.h"
#include "sim/hw/efficiency_fit.h"

namespace moesim {

struct EfficiencyTable {
  std::string name;
  std::string source;
  std::string gpu;        // the GPU the profile was made on ("" for the roofline)
  bool measured = false;  // measured by real/ rather than published
  std::optional<EfficiencyFit> gemm_fp8;   // none: roofline (1.0)
  std::optional<EfficiencyFit> gemm_bf16;  // none: the FP8 fit's shape curve, else 1.0
  std::optional<double> attention;         // fraction of the BF16 peak; none: 1.0
  std::optional<double> memory;            // fraction of HBM bandwidth; none: 1.0
  // Compute speed lost beyond the SMs taken while communication runs (the
  // profile's overlap.compute_slowdown); none: 0, SM sharing alone.
  std::optional<double> interference;
  // In-training figures (CalibrationProfile::in_training): efficiency by
  // (op, fp8, pass, block); they replace the shape fit where they apply.
  std::map<std::tuple<CalibratedOp, bool, CalibratedPass, CalibratedBlock>, double> in_training;
  std::optional<EpNotifyFigure> ep_notify;
  std::optional<EpCallFigure> ep_call;

  // The in-training efficiency for this op class, pass and block: the exact
  // entry, else the pass's entry for any block, else the class's for any pass.
  std::optional<double> in_training_efficiency(CalibratedOp op, bool fp8, CalibratedPass pass,
                                                CalibratedBlock block) const;

  // REQUIRES: m, n, k > 0. Efficiency in (0, 1].
  double gemm_efficiency(double m, double n, double k, bool fp8) const;
  double attention_efficiency() const { return attention.value_or(1.0); }
  double memory_efficiency() const { return memory.value_or(1.0); }
  // True when BF16 GEMMs borrow the FP8 curve (no BF16 measurement).
  bool bf16_is_estimated() const { return !gemm_bf16 && gemm_fp8; }
};

EfficiencyTable efficiency_table_from_profile(const CalibrationProfile& p);

// One line for reports: where each class of op gets its efficiency, e.g.
// "FP8 GEMMs fitted to 10 published H800 shapes; BF16 GEMMs estimated (FP8
// curve); attention from 1 published figure; memory-bound ops from 1 ...".
std::string describe(const EfficiencyTable& t);
const EfficiencyTable& published_h800_efficiency();
const EfficiencyTable& datasheet_efficiency();
// REQUIRES: name is "published" or "datasheet" (ClusterSpec validation checks it).
const EfficiencyTable& efficiency_table_named(const std::string& name);

// The published H800 profile as compiled in (validation/calibration/h800-published.json).
const char* published_h800_profile_json();

}  // namespace moesim
