#pragma once
// A block-scaled FP8 GEMM operand filled on the device (real/device_fill.h): codes and
// their scales, for the tile granularity the FP8 recipe gives it. Needs a GPU.
#include <cstdint>

#include "kernels/device_buffer.h"
#include "kernels/fp8_layout.h"
#include "kernels/fp8_quantize.h"

namespace moesim::real {

// How many FP32 scales an FP8 operand of rows x cols has at granularity `g`.
std::int64_t fp8_scale_count(std::int64_t rows, std::int64_t cols, kernels::Fp8Granularity g);

struct Fp8Operand {
  kernels::DeviceBuffer<std::uint8_t> q;
  kernels::DeviceBuffer<float> s;
};

Fp8Operand fp8_operand(std::int64_t rows, std::int64_t cols, kernels::Fp8Granularity g,
                       std::uint32_t seed, cudaStream_t st);

}  // namespace moesim::real
