#pragma once
// Rotary position embedding, forward, in place, on the decoupled RoPE part of MLA
// (V3TR §2.1.1: q^R and the shared k^R, qk_rope_head_dim 64, theta 10000). Pairs are
// interleaved, (x[2i], x[2i+1]) rotated by angle pos * theta^(-2i/rope_dim), as the
// reference model's apply_rotary_emb (view_as_complex) does:
//   x'[2i]   = x[2i] cos - x[2i+1] sin
//   x'[2i+1] = x[2i] sin + x[2i+1] cos
// in FP32, each product and sum rounded separately (no FMA), then rounded to BF16.
// YaRN's long-context frequency correction (V3TR §4.3) is not applied: tables for
// 4K-context pre-training. CPU reference: reference::rope.

#include <cuda_runtime_api.h>

#include <cstdint>
#include <vector>

#include "kernels/bf16.h"
#include "kernels/support.h"

namespace moesim::kernels {

// cos and sin of pos * theta^(-2i/rope_dim), [max_positions][rope_dim / 2] each, computed
// in double and rounded to float. Host memory; upload for the kernel.
struct RopeTables {
  std::int64_t max_positions = 0;
  int rope_dim = 0;
  std::vector<float> cos;
  std::vector<float> sin;
};
RopeTables make_rope_tables(std::int64_t max_positions, int rope_dim = 64, double theta = 10000.0);

// Where the rotated part of each (token, head) vector sits: element i of the RoPE part
// of (token t, head h) is x[t * token_stride + h * head_stride + rope_offset + i].
// V3 q_pe: heads 128, head_stride 192, token_stride 128 * 192, rope_offset 128.
// V3 k_pe (in the kv_a output [kv_c 512 | k_pe 64]): heads 1, token_stride 576, offset 512.
struct RopeShape {
  std::int64_t tokens = 0;
  std::int64_t heads = 1;
  std::int64_t token_stride = 0;
  std::int64_t head_stride = 0;
  std::int64_t rope_offset = 0;
  int rope_dim = 64;
};

// REQUIRES: rope_dim even; every positions[t] in [0, max_positions); x 4-byte aligned
// with even offsets and strides.
struct RopeParams {
  Bf16* x = nullptr;
  RopeShape shape;
  const std::int32_t* positions = nullptr;  // [tokens]
  const float* cos = nullptr;               // RopeTables::cos on the device
  const float* sin = nullptr;
  std::int64_t max_positions = 0;
};
Support can_implement(const RopeParams& p);
void run(const RopeParams& p, cudaStream_t stream);

// Backward: the rotation is orthogonal, so the gradient is the inverse rotation (angle
// -pos * theta^(-2i/rope_dim)), in place on the gradient laid out as the forward's x:
//   dx[2i]   = dy[2i] cos + dy[2i+1] sin
//   dx[2i+1] = dy[2i+1] cos - dy[2i] sin
// with the same separately rounded FP32 steps. CPU reference: reference::rope_backward.
// REQUIRES: as RopeParams.
struct RopeBackwardParams {
  Bf16* grad = nullptr;  // dy in, dx out
  RopeShape shape;
  const std::int32_t* positions = nullptr;  // [tokens]
  const float* cos = nullptr;
  const float* sin = nullptr;
  std::int64_t max_positions = 0;
};
Support can_implement(const RopeBackwardParams& p);
void run(const RopeBackwardParams& p, cudaStream_t stream);

}  // namespace moesim::kernels
