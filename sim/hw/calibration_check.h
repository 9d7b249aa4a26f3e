#pragma once
// How well a profile's fit describes its own measurements, and how well it
// predicts shapes it has not seen: for every entry, the measured efficiency,
// the fitted one (all entries in the fit) and the leave-one-family-out one
// (the fit without every entry of the same class and shape family; a GEMM
// family is its (n, k): the same weight matrix at other token counts or group
// counts).

#include <optional>
#include <string>
#include <vector>

#include "sim/hw/calibration_profile.h"

namespace moesim {

struct CalibrationCheckRow {
  size_t entry = 0;
  std::string op_class;  // "gemm fp8", "gemm bf16", "attention", "memory"
  std::string family;    // "n=7168 k=16384" for GEMMs, else the class
  std::string shape;     // "4096x7168x16384 x4" or ""
  std::string name;
  double measured = 0;
  double fitted = 0;
  std::optional<double> held_out;  // none when the class has no other family
};

struct CalibrationCheck {
  std::vector<CalibrationCheckRow> rows;
  double max_fit_error = 0;       // max |fitted/measured - 1|
  double rms_held_out_error = 0;  // over rows with a held-out prediction
  size_t held_out_rows = 0;
};

CalibrationCheck check_calibration(const CalibrationProfile& p);

}  // namespace moesim
