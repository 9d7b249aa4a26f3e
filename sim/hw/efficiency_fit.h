#pragma once
// Efficiency of one class of op (FP8 GEMM, BF16 GEMM, attention, memory-bound)
// as a function of shape, fitted to calibration entries:
//  - GEMMs: least squares in log space, log(eff) = b0 + b1 log2 m + b2 log2 n
//    + b3 log2 k (Eigen, complete orthogonal decomposition on centred features,
//    so a dimension the entries never vary gets slope 0; m per group), plus the residuals
//    interpolated by inverse distance in (log2 m, log2 n, log2 k) and damped
//    with distance (weight 1/d^4 against a unit prior), so the model is exact at
//    measured shapes, interpolates between them, and far from all of them falls
//    back on the log-linear trend. With fewer than 5 entries the trend is the
//    geometric mean (a constant).
//  - attention and memory: the geometric mean of the entries.
// Away from measured shapes, fitted values are clamped to [0.02, the best
// measured efficiency of the class]: the trend may say where efficiency falls,
// but no extrapolation beats what was ever achieved.

#include <vector>

#include "sim/hw/calibration_profile.h"

namespace moesim {

class EfficiencyFit {
 public:
  EfficiencyFit() = default;
  // REQUIRES: entries non-empty, all of one class.
  static EfficiencyFit fit(const std::vector<CalibrationEntry>& entries);

  double at(double m, double n, double k) const;
  size_t points() const { return xs_.size(); }
  bool log_linear() const { return linear_; }

 private:
  struct Point {
    double lm, ln, lk, residual;
  };
  double trend(double lm, double ln, double lk) const;
  double beta_[4] = {0, 0, 0, 0};
  bool linear_ = false;
  double ceiling_ = 1.0;
  std::vector<Point> xs_;
};

}  // namespace moesim
