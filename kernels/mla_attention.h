#pragma once
// The attention core of Multi-head Latent Attention (V3TR §2.1.1) in training: causal
// softmax attention over 128 heads with query/key head dim 192 (128 "nope" + 64 decoupled
// RoPE dims, the rotation already applied by the caller) and value head dim 128, BF16 in
// and out, FP32 arithmetic and softmax statistics (V3TR §3.3.1 keeps attention out of
// FP8). Forward writes O and the log-sum-exp of each row's scaled scores, which the
// backward uses to recompute the probabilities (FlashAttention-2, Dao 2023, Algorithms 1
// and 2):
//   S = scale * Q K^T (masked to j <= i when causal), P = softmax_rows(S),
//   O = P V, lse_i = log sum_j exp(S_ij)
//   delta_i = sum_c dO_ic O_ic, dS = P * (dO V^T - delta), dQ = scale dS K,
//   dK = scale dS^T Q, dV = P^T dO.
// MLA's key RoPE part is one 64-dim vector per token shared by all heads: the caller
// broadcasts it into K and sums the heads' dK over those 64 dims.
//
// These are plain tiled kernels in shared memory with FP32 CUDA-core arithmetic, written
// to be clearly correct; docs/kernels.md says what would make them fast (wgmma, TMA).
// Backward is two deterministic kernels (one over key tiles for dK, dV; one over query
// tiles for dQ) that both recompute P, so that no atomics decide the result's bits.
// CPU reference: kernels/reference/mla_attention_reference.h (double precision).
// Device pointers; run() enqueues on `stream`; errors as in kernels/support.h.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/support.h"

namespace moesim::kernels {

// The head dims the kernels are built for: V3's config qk_nope_head_dim 128 +
// qk_rope_head_dim 64, v_head_dim 128 (V3TR §4.2: d_h = 128, d_h^R = 64).
inline constexpr int kMlaQkHeadDim = 192;
inline constexpr int kMlaVHeadDim = 128;
// Query and key rows per tile; seq must be a multiple of it.
inline constexpr std::int64_t kMlaAttentionTile = 32;

// Tensors, token-major as the projections write them:
//   q, k [batch][seq][heads][qk_head_dim], v, o [batch][seq][heads][v_head_dim],
//   lse and delta [batch][heads][seq] (FP32, natural log).
struct MlaAttentionShape {
  std::int64_t batch = 1;
  std::int64_t seq = 0;
  std::int64_t heads = 128;  // V3's num_attention_heads
  int qk_head_dim = kMlaQkHeadDim;
  int v_head_dim = kMlaVHeadDim;
  bool causal = true;
  // Multiplies q.k. Given by the caller: V3 uses qk_head_dim^-0.5, times YaRN's mscale^2
  // once the context is extended (V3TR §4.3).
  float softmax_scale = 0.0f;
};

// Checks of the shape common to both passes (the reference checks the same, less the
// kernel's fixed head dims and tile).
Support check_mla_attention_shape(const MlaAttentionShape& s);

// REQUIRES: qk_head_dim 192, v_head_dim 128, seq a multiple of 32, softmax_scale finite
// and > 0, batch and heads at most 65535 (grid dimensions).
struct MlaAttentionForwardParams {
  const Bf16* q = nullptr;
  const Bf16* k = nullptr;
  const Bf16* v = nullptr;
  Bf16* o = nullptr;
  float* lse = nullptr;
  MlaAttentionShape shape;
};
Support can_implement(const MlaAttentionForwardParams& p);
void run(const MlaAttentionForwardParams& p, cudaStream_t stream);

// o and lse as the forward pass wrote them; delta is the caller's workspace
// (mla_attention_delta_floats(shape) floats), overwritten. dq, dk, dv are written, not
// accumulated into.
struct MlaAttentionBackwardParams {
  const Bf16* q = nullptr;
  const Bf16* k = nullptr;
  const Bf16* v = nullptr;
  const Bf16* o = nullptr;
  const Bf16* d_o = nullptr;
  const float* lse = nullptr;
  float* delta = nullptr;
  Bf16* dq = nullptr;
  Bf16* dk = nullptr;
  Bf16* dv = nullptr;
  MlaAttentionShape shape;
};
Support can_implement(const MlaAttentionBackwardParams& p);
void run(const MlaAttentionBackwardParams& p, cudaStream_t stream);

constexpr std::int64_t mla_attention_delta_floats(const MlaAttentionShape& s) {
  return s.batch * s.heads * s.seq;
}

}  // namespace moesim::kernels
