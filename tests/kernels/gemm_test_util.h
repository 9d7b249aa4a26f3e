#pragma once
// The GEMM tests' comparison of a GPU result with a reference (gemm_test.cpp states the
// bounds): per element |got - ref| <= relative_term |ref| + magnitude_term sum_k |a b|, and a
// relative Frobenius error of at most 4e-3.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kernels/bf16.h"
#include "kernels/reference/gemm_reference.h"

namespace moesim::kernels::test {

inline void expect_gemm_close(const std::vector<float>& got, const reference::GemmResult& want,
                              double relative_term, double magnitude_term,
                              const std::string& what) {
  ASSERT_EQ(got.size(), want.d.size()) << what;
  double err = 0.0, norm = 0.0;
  int reported = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double diff = std::fabs(static_cast<double>(got[i]) - want.d[i]);
    const double bound = relative_term * std::fabs(want.d[i]) + magnitude_term * want.magnitude[i];
    if (!(diff <= bound) && reported++ < 5) {
      ADD_FAILURE() << what << " [" << i / want.n << "][" << i % want.n << "]: " << got[i] << " vs "
                    << want.d[i] << " (bound " << bound << ")";
    }
    err += diff * diff;
    norm += static_cast<double>(want.d[i]) * want.d[i];
  }
  EXPECT_EQ(reported, 0) << what;
  if (norm > 0.0) {
    EXPECT_LE(std::sqrt(err / norm), 4e-3) << what;
  }
}

inline std::vector<float> to_floats(const std::vector<Bf16>& v) {
  std::vector<float> f(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) f[i] = to_float(v[i]);
  return f;
}

}  // namespace moesim::kernels::test
