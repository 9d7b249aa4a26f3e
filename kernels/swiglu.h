#pragma once
// SwiGLU forward and backward for V3's FFNs and experts, which compute w2(silu(w1 x) * w3 x) with
// w1 and w3 fused into one GEMM whose output row is [gate (inter) | up (inter)]:
//   y[r][j] = bf16( silu(x[r][j]) * x[r][inter + j] ),  silu(g) = g / (1 + exp(-g))
// in FP32 from BF16 input. CPU reference: reference::swiglu.
// Device pointers; run() enqueues on `stream`; errors as in kernels/support.h.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/support.h"

namespace moesim::kernels {

// REQUIRES: inter % 8 == 0 (V3: 2048 per expert, 18432 dense); x, y 16-byte aligned.
struct SwigluParams {
  const Bf16* x = nullptr;  // [rows][2 * inter]: gate then up
  Bf16* y = nullptr;        // [rows][inter]
  std::int64_t rows = 0;
  std::int64_t inter = 0;
};
Support can_implement(const SwigluParams& p);
void run(const SwigluParams& p, cudaStream_t stream);

// Backward: with s = sigmoid(g) = 1 / (1 + exp(-g)),
//   d_gate[r][j] = bf16( dy[r][j] * u * s * (1 + g * (1 - s)) )   (silu'(g))
//   d_up[r][j]   = bf16( dy[r][j] * g * s )                       (silu(g))
// in FP32 from BF16, written as dx [rows][2 * inter] (d_gate | d_up) like x.
// CPU reference: reference::swiglu_backward (layer_ops_backward_reference.h).
// REQUIRES: inter % 8 == 0; x, dy, dx 16-byte aligned.
struct SwigluBackwardParams {
  const Bf16* x = nullptr;   // [rows][2 * inter], the forward's input
  const Bf16* dy = nullptr;  // [rows][inter]
  Bf16* dx = nullptr;        // [rows][2 * inter]
  std::int64_t rows = 0;
  std::int64_t inter = 0;
};
Support can_implement(const SwigluBackwardParams& p);
void run(const SwigluBackwardParams& p, cudaStream_t stream);

}  // namespace moesim::kernels
