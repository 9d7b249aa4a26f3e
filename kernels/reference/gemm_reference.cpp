#include "kernels/reference/gemm_reference.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace moesim::kernels::reference {

GemmResult float_gemm(const std::vector<float>& a, const std::vector<float>& b, std::int64_t m,
                      std::int64_t n, std::int64_t k) {
  if (a.size() != static_cast<std::size_t>(m * k) || b.size() != static_cast<std::size_t>(n * k)) {
    throw std::invalid_argument(
        "gemm reference: operand sizes do not match m=" + std::to_string(m) +
        " n=" + std::to_string(n) + " k=" + std::to_string(k));
  }
  GemmResult r{m, n, std::vector<float>(static_cast<std::size_t>(m * n)),
               std::vector<float>(static_cast<std::size_t>(m * n))};
  for (std::int64_t i = 0; i < m; ++i) {
    const float* ar = a.data() + i * k;
    for (std::int64_t j = 0; j < n; ++j) {
      const float* br = b.data() + j * k;
      double sum = 0.0, magnitude = 0.0;
      for (std::int64_t kk = 0; kk < k; ++kk) {
        const double product = static_cast<double>(ar[kk]) * br[kk];
        sum += product;
        magnitude += std::fabs(product);
      }
      r.d[static_cast<std::size_t>(i * n + j)] = static_cast<float>(sum);
      r.magnitude[static_cast<std::size_t>(i * n + j)] = static_cast<float>(magnitude);
    }
  }
  return r;
}

GemmResult fp8_gemm(const Fp8Tensor& a, const Fp8Tensor& b) {
  if (a.cols != b.cols) {
    throw std::invalid_argument("fp8 gemm reference: k differs (" + std::to_string(a.cols) +
                                " vs " + std::to_string(b.cols) + ")");
  }
  return float_gemm(dequantize(a), dequantize(b), a.rows, b.rows, a.cols);
}

GemmResult bf16_gemm(const std::vector<Bf16>& a, const std::vector<Bf16>& b, std::int64_t m,
                     std::int64_t n, std::int64_t k) {
  std::vector<float> af(a.size()), bf(b.size());
  for (std::size_t i = 0; i < a.size(); ++i) af[i] = to_float(a[i]);
  for (std::size_t i = 0; i < b.size(); ++i) bf[i] = to_float(b[i]);
  return float_gemm(af, bf, m, n, k);
}

}  // namespace moesim::kernels::reference
