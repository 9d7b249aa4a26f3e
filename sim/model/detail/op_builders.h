#pragma once
// Builders for the three shapes of op the layer graphs are made of. They hold the
// FLOP and byte conventions in one place:
//  - GEMM C[m,n] = A[m,k] B[k,n]: F = 2mnk; B (dA = dC B^T) = 2mnk; W (dB = A^T dC)
//    = 2mnk. Operands 1 B under FP8 (scales are <1% and ignored), else 2 B; outputs
//    BF16; weight gradients accumulate in FP32 (V3TR §3.3.3).
//  - Memory-bound op over `elements`: reads `reads` tensors and writes `writes`
//    tensors of that size in BF16 forward; backward reads and writes about twice
//    as much (input and output gradients). A nominal `flops_per_element` forward.

#include <string>

#include "sim/model/op.h"

namespace moesim::detail {

constexpr double kBf16Bytes = 2.0;
constexpr double kFp8Bytes = 1.0;
constexpr double kFp32Bytes = 4.0;

Op make_gemm(std::string name, double m, double n, double k, int groups, bool fp8_eligible,
             bool fp8_recipe);

Op make_memory_op(std::string name, double elements, int reads, int writes,
                  double flops_per_element);

// Bytes per element of a tensor cached for backward: FP8 under the FP8 recipe
// (V3TR §3.3.3 caches Linear and SwiGLU inputs in FP8), else BF16.
inline double cached_bytes(bool fp8_recipe) { return fp8_recipe ? kFp8Bytes : kBf16Bytes; }

// RMSNorm whose output feeds a GEMM: backward keeps that output (cached) unless
// norms are recomputed (RecomputeGroup::kNorm). `width` weight parameters.
Op make_norm(std::string name, double tokens, double width, bool fp8_recipe);

// Residual add; keeps the residual stream (the next block's input) for backward.
Op make_residual(std::string name, double tokens, double width);

}  // namespace moesim::detail
