#include "sim/hw/calibration_check.h"

#include <cmath>
#include <cstdio>

#include "sim/hw/efficiency_fit.h"

namespace moesim {

namespace {

std::string op_class(const CalibrationEntry& e) {
  if (e.op == CalibratedOp::kGemm) return e.fp8 ? "gemm fp8" : "gemm bf16";
  return to_string(e.op);
}

std::string family(const CalibrationEntry& e) {
  if (e.op != CalibratedOp::kGemm) return op_class(e);
  char b[64];
  std::snprintf(b, sizeof b, "n=%.0f k=%.0f", e.n, e.k);
  return b;
}

double predict(const std::vector<CalibrationEntry>& fit_on, const CalibrationEntry& e) {
  if (e.op != CalibratedOp::kGemm) {
    double s = 0;
    for (const auto& x : fit_on) s += std::log(x.efficiency);
    return std::exp(s / static_cast<double>(fit_on.size()));
  }
  return EfficiencyFit::fit(fit_on).at(e.m, e.n, e.k);
}

}  // namespace

CalibrationCheck check_calibration(const CalibrationProfile& p) {
  CalibrationCheck out;
  double sq = 0;
  for (size_t i = 0; i < p.entries.size(); ++i) {
    const CalibrationEntry& e = p.entries[i];
    std::vector<CalibrationEntry> same, others;
    for (const auto& x : p.entries) {
      if (op_class(x) != op_class(e)) continue;
      same.push_back(x);
      if (family(x) != family(e)) others.push_back(x);
    }
    CalibrationCheckRow r;
    r.entry = i;
    r.op_class = op_class(e);
    r.family = family(e);
    r.name = e.name;
    if (e.op == CalibratedOp::kGemm) {
      char b[96];
      std::snprintf(b, sizeof b, "%.0fx%.0fx%.0f%s", e.m, e.n, e.k,
                    e.groups > 1 ? (" x" + std::to_string(e.groups)).c_str() : "");
      r.shape = b;
    }
    r.measured = e.efficiency;
    r.fitted = predict(same, e);
    out.max_fit_error = std::max(out.max_fit_error, std::fabs(r.fitted / r.measured - 1));
    if (!others.empty()) {
      r.held_out = predict(others, e);
      const double err = *r.held_out / r.measured - 1;
      sq += err * err;
      ++out.held_out_rows;
    }
    out.rows.push_back(r);
  }
  if (out.held_out_rows > 0) out.rms_held_out_error = std::sqrt(sq / out.held_out_rows);
  return out;
}

}  // namespace moesim
