#pragma once
// RMSNorm forward and backward (V3 normalises before attention and FFN, and the MLA latents q_c,
// kv_c):
//   y[r][i] = bf16( x[r][i] * (1 / sqrt(mean_i(x[r][i]^2) + eps)) * w[i] )
// computed in FP32 from BF16 input and weight (V3TR §3.3.1 keeps normalisation out of FP8).
// CPU reference: reference::rmsnorm (kernels/reference/layer_ops_reference.h).
// Device pointers; run() enqueues on `stream`; errors as in kernels/support.h.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/support.h"

namespace moesim::kernels {

// REQUIRES: dim % 8 == 0 (V3: 7168, 1536, 512); x, weight, y 16-byte aligned.
struct RmsNormParams {
  const Bf16* x = nullptr;       // [rows][dim]
  const Bf16* weight = nullptr;  // [dim]
  Bf16* y = nullptr;             // [rows][dim]; may alias x
  std::int64_t rows = 0;
  std::int64_t dim = 0;
  float eps = 1e-6f;  // V3's config rms_norm_eps
};
Support can_implement(const RmsNormParams& p);
void run(const RmsNormParams& p, cudaStream_t stream);

// Backward, with r = 1 / sqrt(mean_i(x_i^2) + eps) per row:
//   dx[r][i] = bf16( r w_i dy_i - (r^3 / dim) x_i sum_j(w_j dy_j x_j) )
//   dweight[i] = sum over rows of dy[r][i] x[r][i] r   (FP32: V3TR §3.3.1 keeps weight
//                gradients in high precision), written, not accumulated into
// in FP32 from BF16 inputs. Two kernels: one block per row for dx (it also writes r to the
// caller's inv_rms workspace), then one thread per column summing the rows in order, so
// dweight does not depend on scheduling. CPU reference: reference::rmsnorm_backward
// (kernels/reference/layer_ops_backward_reference.h).
// REQUIRES: dim % 8 == 0; x, weight, dy, dx 16-byte aligned; dx does not alias dy.
struct RmsNormBackwardParams {
  const Bf16* x = nullptr;       // [rows][dim], the forward's input
  const Bf16* weight = nullptr;  // [dim]
  const Bf16* dy = nullptr;      // [rows][dim]
  Bf16* dx = nullptr;            // [rows][dim]
  float* dweight = nullptr;      // [dim]
  float* inv_rms = nullptr;      // [rows] workspace, overwritten
  std::int64_t rows = 0;
  std::int64_t dim = 0;
  float eps = 1e-6f;
};
Support can_implement(const RmsNormBackwardParams& p);
void run(const RmsNormBackwardParams& p, cudaStream_t stream);

}  // namespace moesim::kernels
