#include "real/fp8_operand.h"

#include "real/device_fill.h"

namespace moesim::real {

std::int64_t fp8_scale_count(std::int64_t rows, std::int64_t cols, kernels::Fp8Granularity g) {
  return g == kernels::Fp8Granularity::kTile1x128 ? kernels::activation_scale_count(rows, cols)
                                                  : kernels::weight_scale_count(rows, cols);
}

Fp8Operand fp8_operand(std::int64_t rows, std::int64_t cols, kernels::Fp8Granularity g,
                       std::uint32_t seed, cudaStream_t st) {
  const std::int64_t scales = fp8_scale_count(rows, cols, g);
  Fp8Operand o{kernels::DeviceBuffer<std::uint8_t>(rows * cols),
               kernels::DeviceBuffer<float>(scales)};
  fill_fp8(o.q.get(), rows * cols, seed, st);
  fill_f32(o.s.get(), scales, 0.5f, 1.0f, seed + 1, st);
  return o;
}

}  // namespace moesim::real
