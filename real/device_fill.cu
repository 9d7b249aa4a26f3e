#include <cuda_bf16.h>

#include "kernels/cuda_error.h"
#include "real/device_fill.h"

namespace moesim::real {

namespace {

__device__ std::uint32_t hash(std::uint32_t seed, std::uint64_t i) {
  std::uint64_t z = (static_cast<std::uint64_t>(seed) << 32) ^ i;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;  // SplitMix64's finaliser
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return static_cast<std::uint32_t>(z ^ (z >> 31));
}

__device__ float unit(std::uint32_t h) { return (h >> 8) * (1.0f / 16777216.0f); }  // [0, 1)

__global__ void fill_bf16_kernel(__nv_bfloat16* p, std::int64_t n, std::uint32_t seed) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)
    p[i] = __float2bfloat16(2.0f * unit(hash(seed, i)) - 1.0f);
}

__global__ void fill_fp8_kernel(std::uint8_t* p, std::int64_t n, std::uint32_t seed) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::uint32_t h = hash(seed, i);
    // E4M3: sign | exponent 4..7 (2^-3 .. 2^0) | any mantissa: finite, never the NaN code.
    p[i] = static_cast<std::uint8_t>(((h >> 7) & 0x80u) | ((4u + (h & 3u)) << 3) | ((h >> 2) & 7u));
  }
}

__global__ void fill_f32_kernel(float* p, std::int64_t n, float lo, float hi, std::uint32_t seed) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)
    p[i] = lo + (hi - lo) * unit(hash(seed, i));
}

constexpr int kThreads = 256;
unsigned blocks(std::int64_t n) {
  const std::int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

}  // namespace

void fill_bf16(kernels::Bf16* p, std::int64_t n, std::uint32_t seed, cudaStream_t stream) {
  if (n <= 0) return;
  fill_bf16_kernel<<<blocks(n), kThreads, 0, stream>>>(reinterpret_cast<__nv_bfloat16*>(p), n,
                                                       seed);
  kernels::check_launch("fill_bf16");
}

void fill_fp8(std::uint8_t* p, std::int64_t n, std::uint32_t seed, cudaStream_t stream) {
  if (n <= 0) return;
  fill_fp8_kernel<<<blocks(n), kThreads, 0, stream>>>(p, n, seed);
  kernels::check_launch("fill_fp8");
}

void fill_f32(float* p, std::int64_t n, float lo, float hi, std::uint32_t seed,
              cudaStream_t stream) {
  if (n <= 0) return;
  fill_f32_kernel<<<blocks(n), kThreads, 0, stream>>>(p, n, lo, hi, seed);
  kernels::check_launch("fill_f32");
}

}  // namespace moesim::real
