#include "sim/hw/efficiency_fit.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>

#include "sim/core/check.h"

namespace moesim {

namespace {
constexpr double kMinEfficiency = 0.02;
constexpr int kMinPointsForTrend = 5;  // 4 coefficients + at least one to spare

double lg(double x) { return std::log2(std::max(x, 1.0)); }
}  // namespace

EfficiencyFit EfficiencyFit::fit(const std::vector<CalibrationEntry>& entries) {
  MOESIM_CHECK(!entries.empty(), "EfficiencyFit::fit needs entries");
  EfficiencyFit f;
  const auto n = static_cast<Eigen::Index>(entries.size());
  Eigen::MatrixXd x(n, 3);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto& e = entries[static_cast<size_t>(i)];
    x(i, 0) = lg(e.m);
    x(i, 1) = lg(e.n);
    x(i, 2) = lg(e.k);
    y(i) = std::log(std::max(e.efficiency, kMinEfficiency));
  }
  // Centred features: a dimension the entries never vary gets slope 0 from the
  // minimum-norm solution instead of an arbitrary one.
  const Eigen::RowVector3d mean = x.colwise().mean();
  const Eigen::MatrixXd xc = x.rowwise() - mean;
  const double ymean = y.mean();
  f.beta_[0] = ymean;
  const bool gemm = entries.front().op == CalibratedOp::kGemm;
  if (gemm && n >= kMinPointsForTrend) {
    Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(xc);
    if (cod.rank() >= 1) {
      const Eigen::Vector3d b = cod.solve((y.array() - ymean).matrix());
      f.beta_[1] = b(0);
      f.beta_[2] = b(1);
      f.beta_[3] = b(2);
      f.beta_[0] = ymean - mean.dot(b);
      f.linear_ = true;
    }
  }
  f.ceiling_ = std::exp(y.maxCoeff());
  for (Eigen::Index i = 0; i < n; ++i) {
    Point p{x(i, 0), x(i, 1), x(i, 2), 0};
    p.residual = y(i) - f.trend(p.lm, p.ln, p.lk);
    f.xs_.push_back(p);
  }
  return f;
}

double EfficiencyFit::trend(double lm, double ln, double lk) const {
  if (!linear_) return beta_[0];
  return beta_[0] + beta_[1] * lm + beta_[2] * ln + beta_[3] * lk;
}

double EfficiencyFit::at(double m, double n, double k) const {
  const double lm = lg(m), ln = lg(n), lk = lg(k);
  double wsum = 1.0, rsum = 0.0;  // the unit prior pulls residuals to 0 far away
  for (const auto& p : xs_) {
    const double d2 = (lm - p.lm) * (lm - p.lm) + (ln - p.ln) * (ln - p.ln) +
                      (lk - p.lk) * (lk - p.lk);
    if (d2 < 1e-12) return std::exp(trend(lm, ln, lk) + p.residual);  // measured here
    const double w = 1.0 / (d2 * d2);
    wsum += w;
    rsum += w * p.residual;
  }
  return std::clamp(std::exp(trend(lm, ln, lk) + rsum / wsum), kMinEfficiency, ceiling_);
}

}  // namespace moesim
