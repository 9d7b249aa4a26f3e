#include <cmath>
#include <string>

#include "kernels/cuda_error.h"
#include "kernels/detail/device_util.cuh"
#include "kernels/mla_attention.h"

namespace moesim::kernels {
namespace {

using I64 = std::int64_t;
constexpr int kQk = kMlaQkHeadDim;
constexpr int kV = kMlaVHeadDim;
constexpr int kTile = static_cast<int>(kMlaAttentionTile);  // query rows or keys per tile
constexpr int kThreads = 128;
// Each row of a tile (a query row, or a key row in dK/dV) belongs to 4 adjacent lanes of
// one warp: lane `part` of the 4 takes columns part, part + 4, part + 8, ...
constexpr int kLanesPerRow = kThreads / kTile;
static_assert(kLanesPerRow == 4, "the shuffles below reduce over 4 lanes");
// The dK/dV kernel walks the queries in tiles of 16, to keep its shared memory under the
// 48 KB that needs no opt-in.
constexpr int kBwdQueries = 16;

struct Dims {
  I64 seq;
  I64 heads;
};

// Element offset of (batch b, token t, head h) in a [batch][seq][heads][dim] tensor.
__device__ inline I64 token_offset(Dims d, I64 b, I64 t, I64 h, int dim) {
  return ((b * d.seq + t) * d.heads + h) * dim;
}
// Index of (b, h, t) in a [batch][heads][seq] statistic.
__device__ inline I64 stat_index(Dims d, I64 b, I64 h, I64 t) {
  return (b * d.heads + h) * d.seq + t;
}

// Copies `rows` rows of `dim` elements for tokens t0.. of (b, h) into shared memory.
template <int kRowsToLoad, int kDim>
__device__ inline void load_rows(__nv_bfloat16 (*dst)[kDim], const __nv_bfloat16* src, Dims d,
                                 I64 b, I64 t0, I64 h) {
  for (int idx = threadIdx.x; idx < kRowsToLoad * kDim; idx += kThreads) {
    const int row = idx / kDim;
    const int c = idx % kDim;
    dst[row][c] = src[token_offset(d, b, t0 + row, h, kDim) + c];
  }
}

template <int kDim>
__device__ inline float dot_rows(const __nv_bfloat16* a, const __nv_bfloat16* b) {
  float sum = 0.0f;
#pragma unroll 8
  for (int c = 0; c < kDim; ++c) sum += __bfloat162float(a[c]) * __bfloat162float(b[c]);
  return sum;
}

__device__ inline float sum_over_row_lanes(float v) {
  v += __shfl_xor_sync(0xffffffffu, v, 1);
  return v + __shfl_xor_sync(0xffffffffu, v, 2);
}
__device__ inline float max_over_row_lanes(float v) {
  v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 1));
  return fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 2));
}

// Forward: one block per (32 query rows, head, batch); online softmax over key tiles.
__global__ void __launch_bounds__(kThreads)
    forward_kernel(const __nv_bfloat16* __restrict__ q, const __nv_bfloat16* __restrict__ k,
                   const __nv_bfloat16* __restrict__ v, __nv_bfloat16* __restrict__ o,
                   float* __restrict__ lse, Dims d, float scale, bool causal) {
  __shared__ __nv_bfloat16 qs[kTile][kQk];
  __shared__ __nv_bfloat16 ks[kTile][kQk];
  __shared__ __nv_bfloat16 vs[kTile][kV];
  __shared__ float ps[kTile][kTile + 1];
  const I64 b = blockIdx.z, h = blockIdx.y, q0 = static_cast<I64>(blockIdx.x) * kTile;
  const int r = threadIdx.x / kLanesPerRow, part = threadIdx.x % kLanesPerRow;
  const I64 i = q0 + r;
  load_rows<kTile, kQk>(qs, q, d, b, q0, h);

  float m = -INFINITY, l = 0.0f;
  float acc[kV / kLanesPerRow] = {};
  // Causal: key tiles up to the diagonal one. Every tile then holds at least one key
  // j <= i for every row (its first), so the running max is finite after the first tile.
  const I64 key_end = causal ? q0 + kTile : d.seq;
  for (I64 j0 = 0; j0 < key_end; j0 += kTile) {
    __syncthreads();  // the previous tile's readers are done (and qs is loaded)
    load_rows<kTile, kQk>(ks, k, d, b, j0, h);
    load_rows<kTile, kV>(vs, v, d, b, j0, h);
    __syncthreads();
    float s[kTile / kLanesPerRow];
    float tile_max = -INFINITY;
#pragma unroll
    for (int t = 0; t < kTile / kLanesPerRow; ++t) {
      const int jj = part + kLanesPerRow * t;
      const bool masked = causal && j0 + jj > i;
      s[t] = masked ? -INFINITY : scale * dot_rows<kQk>(qs[r], ks[jj]);
      tile_max = fmaxf(tile_max, s[t]);
    }
    const float m_new = fmaxf(m, max_over_row_lanes(tile_max));
    const float alpha = expf(m - m_new);  // 0 on the first tile (m = -inf)
    float tile_sum = 0.0f;
#pragma unroll
    for (int t = 0; t < kTile / kLanesPerRow; ++t) {
      const float p = expf(s[t] - m_new);  // 0 where masked
      ps[r][part + kLanesPerRow * t] = p;
      tile_sum += p;
    }
    l = l * alpha + sum_over_row_lanes(tile_sum);
    m = m_new;
    __syncwarp();  // row r of ps is written by its 4 lanes, all in this warp
#pragma unroll
    for (int c4 = 0; c4 < kV / kLanesPerRow; ++c4) {
      const int c = part + kLanesPerRow * c4;
      float pv = 0.0f;
      for (int jj = 0; jj < kTile; ++jj) pv += ps[r][jj] * __bfloat162float(vs[jj][c]);
      acc[c4] = acc[c4] * alpha + pv;
    }
  }
  const float inv_l = 1.0f / l;
#pragma unroll
  for (int c4 = 0; c4 < kV / kLanesPerRow; ++c4) {
    o[token_offset(d, b, i, h, kV) + part + kLanesPerRow * c4] = __float2bfloat16(acc[c4] * inv_l);
  }
  if (part == 0) lse[stat_index(d, b, h, i)] = m + logf(l);
}

// delta[b][h][i] = sum_c dO[b][i][h][c] * O[b][i][h][c]: one warp per (b, i, h).
__global__ void delta_kernel(const __nv_bfloat16* __restrict__ o,
                             const __nv_bfloat16* __restrict__ d_o, float* __restrict__ delta,
                             Dims d, I64 rows) {
  const I64 row = (static_cast<I64>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  if (row >= rows) return;  // whole warps leave together: rows are per warp
  const int lane = threadIdx.x % 32;
  const I64 h = row % d.heads;
  const I64 t = (row / d.heads) % d.seq;
  const I64 b = row / (d.heads * d.seq);
  float sum = 0.0f;
  for (int c = lane; c < kV; c += 32) {
    sum += __bfloat162float(o[row * kV + c]) * __bfloat162float(d_o[row * kV + c]);
  }
  sum = detail::warp_sum(sum);
  if (lane == 0) delta[stat_index(d, b, h, t)] = sum;
}

// dK, dV: one block per (32 keys, head, batch), walking the query tiles that see them.
__global__ void __launch_bounds__(kThreads)
    dkdv_kernel(const __nv_bfloat16* __restrict__ q, const __nv_bfloat16* __restrict__ k,
                const __nv_bfloat16* __restrict__ v, const __nv_bfloat16* __restrict__ d_o,
                const float* __restrict__ lse, const float* __restrict__ delta,
                __nv_bfloat16* __restrict__ dk, __nv_bfloat16* __restrict__ dv, Dims d, float scale,
                bool causal) {
  __shared__ __nv_bfloat16 ks[kTile][kQk];
  __shared__ __nv_bfloat16 vs[kTile][kV];
  __shared__ __nv_bfloat16 qs[kBwdQueries][kQk];
  __shared__ __nv_bfloat16 dos[kBwdQueries][kV];
  __shared__ float ps[kTile][kBwdQueries + 1];
  __shared__ float dss[kTile][kBwdQueries + 1];
  __shared__ float lses[kBwdQueries];
  __shared__ float deltas[kBwdQueries];
  const I64 b = blockIdx.z, h = blockIdx.y, j0 = static_cast<I64>(blockIdx.x) * kTile;
  const int jr = threadIdx.x / kLanesPerRow, part = threadIdx.x % kLanesPerRow;
  const I64 j = j0 + jr;
  load_rows<kTile, kQk>(ks, k, d, b, j0, h);
  load_rows<kTile, kV>(vs, v, d, b, j0, h);

  float dk_acc[kQk / kLanesPerRow] = {};
  float dv_acc[kV / kLanesPerRow] = {};
  // Causal: queries before j0 see none of these keys.
  for (I64 i0 = causal ? j0 : 0; i0 < d.seq; i0 += kBwdQueries) {
    __syncthreads();  // the previous tile's readers are done (and ks, vs are loaded)
    load_rows<kBwdQueries, kQk>(qs, q, d, b, i0, h);
    load_rows<kBwdQueries, kV>(dos, d_o, d, b, i0, h);
    if (threadIdx.x < kBwdQueries) {
      lses[threadIdx.x] = lse[stat_index(d, b, h, i0 + threadIdx.x)];
      deltas[threadIdx.x] = delta[stat_index(d, b, h, i0 + threadIdx.x)];
    }
    __syncthreads();
#pragma unroll
    for (int t = 0; t < kBwdQueries / kLanesPerRow; ++t) {
      const int ii = part + kLanesPerRow * t;
      const bool masked = causal && j > i0 + ii;
      const float p = masked ? 0.0f : expf(scale * dot_rows<kQk>(qs[ii], ks[jr]) - lses[ii]);
      const float dp = dot_rows<kV>(dos[ii], vs[jr]);
      ps[jr][ii] = p;
      dss[jr][ii] = p * (dp - deltas[ii]);
    }
    __syncwarp();  // row jr of ps and dss is written by its 4 lanes, all in this warp
#pragma unroll
    for (int c4 = 0; c4 < kV / kLanesPerRow; ++c4) {
      const int c = part + kLanesPerRow * c4;
      float sum = 0.0f;
      for (int ii = 0; ii < kBwdQueries; ++ii) sum += ps[jr][ii] * __bfloat162float(dos[ii][c]);
      dv_acc[c4] += sum;
    }
#pragma unroll
    for (int c4 = 0; c4 < kQk / kLanesPerRow; ++c4) {
      const int c = part + kLanesPerRow * c4;
      float sum = 0.0f;
      for (int ii = 0; ii < kBwdQueries; ++ii) sum += dss[jr][ii] * __bfloat162float(qs[ii][c]);
      dk_acc[c4] += sum;
    }
  }
#pragma unroll
  for (int c4 = 0; c4 < kV / kLanesPerRow; ++c4) {
    dv[token_offset(d, b, j, h, kV) + part + kLanesPerRow * c4] = __float2bfloat16(dv_acc[c4]);
  }
#pragma unroll
  for (int c4 = 0; c4 < kQk / kLanesPerRow; ++c4) {
    dk[token_offset(d, b, j, h, kQk) + part + kLanesPerRow * c4] =
        __float2bfloat16(scale * dk_acc[c4]);
  }
}

// dQ: one block per (32 query rows, head, batch), walking the key tiles they see.
__global__ void __launch_bounds__(kThreads)
    dq_kernel(const __nv_bfloat16* __restrict__ q, const __nv_bfloat16* __restrict__ k,
              const __nv_bfloat16* __restrict__ v, const __nv_bfloat16* __restrict__ d_o,
              const float* __restrict__ lse, const float* __restrict__ delta,
              __nv_bfloat16* __restrict__ dq, Dims d, float scale, bool causal) {
  __shared__ __nv_bfloat16 qs[kTile][kQk];
  __shared__ __nv_bfloat16 dos[kTile][kV];
  __shared__ __nv_bfloat16 ks[kTile][kQk];
  __shared__ __nv_bfloat16 vs[kTile][kV];
  __shared__ float dss[kTile][kTile + 1];
  const I64 b = blockIdx.z, h = blockIdx.y, q0 = static_cast<I64>(blockIdx.x) * kTile;
  const int r = threadIdx.x / kLanesPerRow, part = threadIdx.x % kLanesPerRow;
  const I64 i = q0 + r;
  load_rows<kTile, kQk>(qs, q, d, b, q0, h);
  load_rows<kTile, kV>(dos, d_o, d, b, q0, h);
  const float lse_i = lse[stat_index(d, b, h, i)];
  const float delta_i = delta[stat_index(d, b, h, i)];

  float dq_acc[kQk / kLanesPerRow] = {};
  const I64 key_end = causal ? q0 + kTile : d.seq;
  for (I64 j0 = 0; j0 < key_end; j0 += kTile) {
    __syncthreads();
    load_rows<kTile, kQk>(ks, k, d, b, j0, h);
    load_rows<kTile, kV>(vs, v, d, b, j0, h);
    __syncthreads();
#pragma unroll
    for (int t = 0; t < kTile / kLanesPerRow; ++t) {
      const int jj = part + kLanesPerRow * t;
      const bool masked = causal && j0 + jj > i;
      const float p = masked ? 0.0f : expf(scale * dot_rows<kQk>(qs[r], ks[jj]) - lse_i);
      const float dp = dot_rows<kV>(dos[r], vs[jj]);
      dss[r][jj] = p * (dp - delta_i);
    }
    __syncwarp();
#pragma unroll
    for (int c4 = 0; c4 < kQk / kLanesPerRow; ++c4) {
      const int c = part + kLanesPerRow * c4;
      float sum = 0.0f;
      for (int jj = 0; jj < kTile; ++jj) sum += dss[r][jj] * __bfloat162float(ks[jj][c]);
      dq_acc[c4] += sum;
    }
  }
#pragma unroll
  for (int c4 = 0; c4 < kQk / kLanesPerRow; ++c4) {
    dq[token_offset(d, b, i, h, kQk) + part + kLanesPerRow * c4] =
        __float2bfloat16(scale * dq_acc[c4]);
  }
}

Support check_kernel_shape(const char* who, const MlaAttentionShape& s) {
  const Support general = check_mla_attention_shape(s);
  if (!general.ok()) return Support::no(std::string(who) + ": " + general.reason);
  if (s.qk_head_dim != kQk || s.v_head_dim != kV) {
    return Support::no(std::string(who) + ": head dims " + std::to_string(s.qk_head_dim) + "/" +
                       std::to_string(s.v_head_dim) +
                       ": the kernels are built for V3's 192 (q, k) and 128 (v)");
  }
  if (s.seq % kTile != 0) {
    return Support::no(std::string(who) + ": seq " + std::to_string(s.seq) +
                       " is not a multiple of the 32-row tile");
  }
  if (s.batch > 65535 || s.heads > 65535) {
    return Support::no(std::string(who) + ": batch and heads must be at most 65535 (grid)");
  }
  return Support::yes();
}

dim3 tile_grid(const MlaAttentionShape& s) {
  return dim3(static_cast<unsigned>(s.seq / kTile), static_cast<unsigned>(s.heads),
              static_cast<unsigned>(s.batch));
}

}  // namespace

Support check_mla_attention_shape(const MlaAttentionShape& s) {
  if (s.batch <= 0 || s.seq <= 0 || s.heads <= 0) return Support::no("empty batch, seq or heads");
  if (s.qk_head_dim <= 0 || s.v_head_dim <= 0) return Support::no("head dims must be positive");
  if (!(std::isfinite(s.softmax_scale) && s.softmax_scale > 0.0f)) {
    return Support::no("softmax_scale must be finite and positive (the caller gives it)");
  }
  return Support::yes();
}

Support can_implement(const MlaAttentionForwardParams& p) {
  const Support s = check_kernel_shape("mla_attention forward", p.shape);
  if (!s.ok()) return s;
  if (p.q == nullptr || p.k == nullptr || p.v == nullptr || p.o == nullptr || p.lse == nullptr) {
    return Support::no("mla_attention forward: null pointer");
  }
  return Support::yes();
}

Support can_implement(const MlaAttentionBackwardParams& p) {
  const Support s = check_kernel_shape("mla_attention backward", p.shape);
  if (!s.ok()) return s;
  if (p.q == nullptr || p.k == nullptr || p.v == nullptr || p.o == nullptr || p.d_o == nullptr ||
      p.lse == nullptr || p.delta == nullptr || p.dq == nullptr || p.dk == nullptr ||
      p.dv == nullptr) {
    return Support::no("mla_attention backward: null pointer");
  }
  return Support::yes();
}

void run(const MlaAttentionForwardParams& p, cudaStream_t stream) {
  require(can_implement(p));
  const MlaAttentionShape& s = p.shape;
  forward_kernel<<<tile_grid(s), kThreads, 0, stream>>>(
      detail::as_device(p.q), detail::as_device(p.k), detail::as_device(p.v),
      detail::as_device(p.o), p.lse, Dims{s.seq, s.heads}, s.softmax_scale, s.causal);
  check_launch("mla_attention forward");
}

void run(const MlaAttentionBackwardParams& p, cudaStream_t stream) {
  require(can_implement(p));
  const MlaAttentionShape& s = p.shape;
  const Dims d{s.seq, s.heads};
  const I64 rows = mla_attention_delta_floats(s);
  constexpr int kDeltaThreads = 256;
  delta_kernel<<<detail::blocks_for(rows * 32, kDeltaThreads), kDeltaThreads, 0, stream>>>(
      detail::as_device(p.o), detail::as_device(p.d_o), p.delta, d, rows);
  check_launch("mla_attention backward (delta)");
  dkdv_kernel<<<tile_grid(s), kThreads, 0, stream>>>(
      detail::as_device(p.q), detail::as_device(p.k), detail::as_device(p.v),
      detail::as_device(p.d_o), p.lse, p.delta, detail::as_device(p.dk), detail::as_device(p.dv), d,
      s.softmax_scale, s.causal);
  check_launch("mla_attention backward (dk, dv)");
  dq_kernel<<<tile_grid(s), kThreads, 0, stream>>>(detail::as_device(p.q), detail::as_device(p.k),
                                                   detail::as_device(p.v), detail::as_device(p.d_o),
                                                   p.lse, p.delta, detail::as_device(p.dq), d,
                                                   s.softmax_scale, s.causal);
  check_launch("mla_attention backward (dq)");
}

}  // namespace moesim::kernels
