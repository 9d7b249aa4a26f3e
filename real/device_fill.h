#pragma once
// Deterministic, non-zero inputs for timed kernels, filled on the device (a host
// fill of a 1.8 GB output-head weight would dominate the run). Values: a hash of
// (seed, index) mapped to [-1, 1) for BF16, to E4M3 codes of magnitude in [2^-3, 2)
// (finite, no NaN code) for FP8, and to [lo, hi) for FP32 (scales, logits).

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/bf16.h"

namespace moesim::real {

void fill_bf16(kernels::Bf16* p, std::int64_t n, std::uint32_t seed, cudaStream_t stream);
void fill_fp8(std::uint8_t* p, std::int64_t n, std::uint32_t seed, cudaStream_t stream);
void fill_f32(float* p, std::int64_t n, float lo, float hi, std::uint32_t seed,
              cudaStream_t stream);

}  // namespace moesim::real
