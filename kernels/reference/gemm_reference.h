#pragma once
// CPU references for kernels/gemm.h: D[m][n] = sum_k A[m][k] * B[n][k] accumulated in
// double from the exact operand values (FP8: e4m3 * scale, i.e. the FP8-rounded inputs),
// rounded to float once. Each result also carries sum_k |A[m][k] * B[n][k]|, the scale
// against which accumulation error is judged. Throws std::invalid_argument on mismatched
// shapes.

#include <cstdint>
#include <vector>

#include "kernels/bf16.h"
#include "kernels/reference/fp8_quantize_reference.h"

namespace moesim::kernels::reference {

struct GemmResult {
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::vector<float> d;          // [m][n]
  std::vector<float> magnitude;  // [m][n]: sum_k |a * b|
};

// a: [m][k], b: [n][k], any granularity each.
GemmResult fp8_gemm(const Fp8Tensor& a, const Fp8Tensor& b);

GemmResult bf16_gemm(const std::vector<Bf16>& a, const std::vector<Bf16>& b, std::int64_t m,
                     std::int64_t n, std::int64_t k);

// The same on plain floats (for judging FP8's error against unquantized inputs).
GemmResult float_gemm(const std::vector<float>& a, const std::vector<float>& b, std::int64_t m,
                      std::int64_t n, std::int64_t k);

// Row-major transpose of a [rows][cols] matrix (for building the dgrad and wgrad operands).
template <typename T>
std::vector<T> transpose(const std::vector<T>& x, std::int64_t rows, std::int64_t cols) {
  std::vector<T> t(x.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) {
      t[static_cast<std::size_t>(c * rows + r)] = x[static_cast<std::size_t>(r * cols + c)];
    }
  }
  return t;
}

}  // namespace moesim::kernels::reference
