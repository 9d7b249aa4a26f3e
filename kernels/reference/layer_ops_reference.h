#pragma once
// CPU references for RMSNorm, SwiGLU and RoPE (kernels/rmsnorm.h, swiglu.h, rope.h).
// Same formulas on host vectors; RMSNorm sums squares in double (the kernel in float, in
// another order), SwiGLU uses std::exp (the kernel CUDA's expf), so those two agree with
// the kernels to one BF16 ulp; RoPE takes the same separately rounded FP32 steps and
// agrees bit for bit. Throws std::invalid_argument on size mismatches or bad positions.

#include <cstdint>
#include <vector>

#include "kernels/bf16.h"
#include "kernels/rope.h"

namespace moesim::kernels::reference {

std::vector<Bf16> rmsnorm(const std::vector<Bf16>& x, const std::vector<Bf16>& weight,
                          std::int64_t rows, std::int64_t dim, float eps);

// x [rows][2 * inter] (gate | up) -> [rows][inter].
std::vector<Bf16> swiglu(const std::vector<Bf16>& x, std::int64_t rows, std::int64_t inter);

// In place on x, laid out as `shape` says.
void rope(std::vector<Bf16>& x, const RopeShape& shape, const std::vector<std::int32_t>& positions,
          const RopeTables& tables);

}  // namespace moesim::kernels::reference
