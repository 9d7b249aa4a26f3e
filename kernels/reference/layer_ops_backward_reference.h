#pragma once
// CPU references for the backward passes of RMSNorm, SwiGLU and RoPE (kernels/rmsnorm.h,
// swiglu.h, rope.h). RMSNorm and SwiGLU in double precision from double inputs, with their
// forwards in double too, so that tests can check each backward by finite differences of
// its forward. RoPE's backward mirrors the kernel's separately rounded FP32 steps on BF16
// (bit-exact, as the forward reference is). Throws std::invalid_argument on size
// mismatches or bad positions.

#include <cstdint>
#include <vector>

#include "kernels/bf16.h"
#include "kernels/rope.h"

namespace moesim::kernels::reference {

std::vector<double> rmsnorm_forward(const std::vector<double>& x, const std::vector<double>& weight,
                                    std::int64_t rows, std::int64_t dim, double eps);

struct RmsNormGradients {
  std::vector<double> dx;       // [rows][dim]
  std::vector<double> dweight;  // [dim]
};
RmsNormGradients rmsnorm_backward(const std::vector<double>& x, const std::vector<double>& weight,
                                  const std::vector<double>& dy, std::int64_t rows,
                                  std::int64_t dim, double eps);

// x [rows][2 * inter] (gate | up) -> [rows][inter].
std::vector<double> swiglu_forward(const std::vector<double>& x, std::int64_t rows,
                                   std::int64_t inter);
// -> dx [rows][2 * inter] (d_gate | d_up).
std::vector<double> swiglu_backward(const std::vector<double>& x, const std::vector<double>& dy,
                                    std::int64_t rows, std::int64_t inter);

// In place on grad (dy in, dx out), laid out as `shape` says.
void rope_backward(std::vector<Bf16>& grad, const RopeShape& shape,
                   const std::vector<std::int32_t>& positions, const RopeTables& tables);

}  // namespace moesim::kernels::reference
