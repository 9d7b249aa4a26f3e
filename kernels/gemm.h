#pragma once
// GEMMs through cuBLASLt: FP8 E4M3 with DeepSeek-V3's block scales (cuBLASLt 12.9+'s
// VEC128_32F and BLK128x128_32F scale modes, Hopper) and plain BF16, both with FP32
// accumulation, for the three GEMMs of every Linear (V3TR §3.3.1: Fprop, Dgrad, Wgrad).
//
// Layout ("TN", the only FP8 layout Hopper's tensor cores take): both operands row-major
// with the contraction dimension contiguous, and
//   D[m][n] = sum_k A[m][k] * B[n][k]        (D row-major, BF16 or FP32)
// with A's and B's scales as kernels/fp8_layout.h lays them out for their granularity.
// linear_gemm_shape() maps a Linear's three passes onto this form.
// CPU references: kernels/reference/gemm_reference.h (dequantize, then accumulate).
//
// cuBLASLt is the floor, not the goal (DeepGEMM reaches 1,358-1,550 TFLOPS on H800):
// this wrapper exists to have a correct, measurable FP8 GEMM first.

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "kernels/bf16.h"
#include "kernels/fp8_quantize.h"
#include "kernels/support.h"

namespace moesim::kernels {

enum class GemmOutput { kBf16, kFloat32 };

// REQUIRES (can_implement): k % 128 == 0; n % 8 == 0 (16-byte output rows); the row
// count of a 1x128-scaled operand a multiple of 4 (its scale columns are read as 16-byte
// vectors); every pointer 16-byte aligned.
struct Fp8GemmParams {
  const std::uint8_t* a = nullptr;  // [m][k] E4M3
  const float* a_scales = nullptr;
  Fp8Granularity a_granularity = Fp8Granularity::kTile1x128;
  const std::uint8_t* b = nullptr;  // [n][k] E4M3
  const float* b_scales = nullptr;
  Fp8Granularity b_granularity = Fp8Granularity::kBlock128x128;
  void* d = nullptr;  // [m][n]
  GemmOutput d_type = GemmOutput::kBf16;
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
};
Support can_implement(const Fp8GemmParams& p);

// REQUIRES: k % 8 == 0, n % 8 == 0, pointers 16-byte aligned.
struct Bf16GemmParams {
  const Bf16* a = nullptr;  // [m][k]
  const Bf16* b = nullptr;  // [n][k]
  void* d = nullptr;        // [m][n]
  GemmOutput d_type = GemmOutput::kBf16;
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
};
Support can_implement(const Bf16GemmParams& p);

// A cuBLASLt handle, its workspace and the algorithms chosen so far (per shape and
// type, from cuBLASLt's heuristic). Construction needs a GPU (throws CudaError without
// one). Not thread-safe: one per thread or stream.
class CublasLt {
 public:
  static constexpr std::size_t kDefaultWorkspaceBytes = std::size_t{32} << 20;
  explicit CublasLt(std::size_t workspace_bytes = kDefaultWorkspaceBytes);
  ~CublasLt();
  CublasLt(const CublasLt&) = delete;
  CublasLt& operator=(const CublasLt&) = delete;

  struct Impl;  // defined in gemm_cublaslt.cpp

 private:
  friend void run(const Fp8GemmParams& p, CublasLt& lt, cudaStream_t stream);
  friend void run(const Bf16GemmParams& p, CublasLt& lt, cudaStream_t stream);
  std::unique_ptr<Impl> impl_;
};

// Throws std::invalid_argument for arguments can_implement() rejects, and CudaError when
// cuBLASLt has no kernel for them or fails.
void run(const Fp8GemmParams& p, CublasLt& lt, cudaStream_t stream);
void run(const Bf16GemmParams& p, CublasLt& lt, cudaStream_t stream);

// The three GEMMs of a Linear y = x W^T, x [tokens][in], W [out][in]:
//   kForward:    y [tokens][out]  = x  (1x128)          . W   (128x128) ; k = in
//   kDataGrad:   dx [tokens][in]  = dy (1x128)          . W^T (128x128) ; k = out
//   kWeightGrad: dW [out][in]     = dy^T (1x128 along tokens) . x^T (1x128 along tokens) ; k =
//   tokens
// In TN form the second operand of kDataGrad is W^T stored [in][out] (the same 128x128
// blocks, transposed), and both operands of kWeightGrad are stored transposed (V3TR
// §3.3.3 re-tiles activations from 1x128 to 128x1 for the backward pass).
enum class LinearPass { kForward, kDataGrad, kWeightGrad };
struct GemmShape {
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  Fp8Granularity a = Fp8Granularity::kTile1x128;
  Fp8Granularity b = Fp8Granularity::kBlock128x128;
  bool operator==(const GemmShape& o) const {
    return m == o.m && n == o.n && k == o.k && a == o.a && b == o.b;
  }
};
GemmShape linear_gemm_shape(LinearPass pass, std::int64_t tokens, std::int64_t in_features,
                            std::int64_t out_features);

}  // namespace moesim::kernels
