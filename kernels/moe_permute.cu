#include <algorithm>
#include <string>

#include "kernels/cuda_error.h"
#include "kernels/detail/device_util.cuh"
#include "kernels/moe_permute.h"

namespace moesim::kernels {
namespace {

constexpr int kThreads = 256;
constexpr unsigned kFull = 0xffffffffu;

__global__ void count_kernel(const std::int32_t* __restrict__ indices, std::int64_t slots,
                             int experts, std::int32_t* counts) {
  for (std::int64_t s = static_cast<std::int64_t>(blockIdx.x) * kThreads + threadIdx.x; s < slots;
       s += static_cast<std::int64_t>(gridDim.x) * kThreads) {
    const int e = indices[s];
    if (e >= 0 && e < experts) atomicAdd(counts + e, 1);
  }
}

// One thread: experts are few (256 in V3).
__global__ void offsets_kernel(const std::int32_t* __restrict__ counts, int experts, int alignment,
                               std::int32_t* offsets) {
  std::int32_t row = 0;
  for (int e = 0; e < experts; ++e) {
    offsets[e] = row;
    row += (counts[e] + alignment - 1) / alignment * alignment;
  }
  offsets[experts] = row;
}

// One block per expert walks all slots in order; a block-wide scan of "is mine" gives
// each of its slots a stable rank.
__global__ void positions_kernel(const std::int32_t* __restrict__ indices, std::int64_t slots,
                                 const std::int32_t* __restrict__ offsets,
                                 std::int32_t* __restrict__ slot_rows,
                                 std::int32_t* __restrict__ row_slots) {
  __shared__ int warp_counts[kThreads / 32];
  const int expert = blockIdx.x;
  const int lane = threadIdx.x % 32;
  const int warp = threadIdx.x / 32;
  std::int32_t next_row = offsets[expert];
  for (std::int64_t base = 0; base < slots; base += kThreads) {
    const std::int64_t s = base + threadIdx.x;
    const bool mine = s < slots && indices[s] == expert;
    const unsigned ballot = __ballot_sync(kFull, mine);
    if (lane == 0) warp_counts[warp] = __popc(ballot);
    __syncthreads();
    int before = __popc(ballot & ((1u << lane) - 1u));
    int total = 0;
#pragma unroll
    for (int w = 0; w < kThreads / 32; ++w) {
      if (w < warp) before += warp_counts[w];
      total += warp_counts[w];
    }
    if (mine) {
      const std::int32_t row = next_row + before;
      slot_rows[s] = row;
      row_slots[row] = static_cast<std::int32_t>(s);
    }
    next_row += total;
    __syncthreads();  // warp_counts is rewritten next round
  }
}

__global__ void permute_kernel(const __nv_bfloat16* __restrict__ x, std::int64_t hidden, int topk,
                               const std::int32_t* __restrict__ row_slots,
                               __nv_bfloat16* __restrict__ out) {
  const std::int64_t row = blockIdx.x;
  const std::int32_t slot = row_slots[row];
  const uint4* src = reinterpret_cast<const uint4*>(x + (slot >= 0 ? slot / topk : 0) * hidden);
  uint4* dst = reinterpret_cast<uint4*>(out + row * hidden);
  for (std::int64_t i = threadIdx.x; i < hidden / 8; i += blockDim.x) {
    dst[i] = slot >= 0 ? src[i] : make_uint4(0, 0, 0, 0);
  }
}

__global__ void unpermute_kernel(const __nv_bfloat16* __restrict__ expert_out, std::int64_t hidden,
                                 const std::int32_t* __restrict__ slot_rows,
                                 const float* __restrict__ weights, int topk,
                                 __nv_bfloat16* __restrict__ y) {
  const std::int64_t token = blockIdx.x;
  for (std::int64_t c = threadIdx.x * 8; c < hidden;
       c += static_cast<std::int64_t>(blockDim.x) * 8) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int j = 0; j < topk; ++j) {
      const std::int32_t row = slot_rows[token * topk + j];
      if (row < 0) continue;
      const float w = weights[token * topk + j];
      const uint4 raw = *reinterpret_cast<const uint4*>(expert_out + row * hidden + c);
      const __nv_bfloat162* v = reinterpret_cast<const __nv_bfloat162*>(&raw);
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const float2 f = __bfloat1622float2(v[i]);
        acc[2 * i] = __fadd_rn(acc[2 * i], __fmul_rn(w, f.x));
        acc[2 * i + 1] = __fadd_rn(acc[2 * i + 1], __fmul_rn(w, f.y));
      }
    }
    uint4 out;
    __nv_bfloat162* o = reinterpret_cast<__nv_bfloat162*>(&out);
#pragma unroll
    for (int i = 0; i < 4; ++i) o[i] = __floats2bfloat162_rn(acc[2 * i], acc[2 * i + 1]);
    *reinterpret_cast<uint4*>(y + token * hidden + c) = out;
  }
}

Support check_rows(const char* who, std::int64_t hidden, const void* a, const void* b) {
  const std::string w = who;
  if (hidden <= 0 || hidden % 8 != 0) {
    return Support::no(w + ": hidden " + std::to_string(hidden) +
                       " is not a positive multiple of 8");
  }
  if (a == nullptr || b == nullptr) return Support::no(w + ": null pointer");
  if (!detail::aligned16(a) || !detail::aligned16(b))
    return Support::no(w + ": rows must be 16-byte aligned");
  return Support::yes();
}

}  // namespace

Support can_implement(const RoutingMapParams& p) {
  if (p.tokens <= 0 || p.topk <= 0) return Support::no("routing_map: no tokens or topk 0");
  if (p.num_experts <= 0 || p.num_experts > 1024) {
    return Support::no("routing_map: num_experts " + std::to_string(p.num_experts) +
                       " outside [1, 1024]");
  }
  if (p.row_alignment <= 0) return Support::no("routing_map: row_alignment must be positive");
  const std::int64_t need = permuted_row_capacity(p.tokens, p.topk, p.num_experts, p.row_alignment);
  if (p.row_capacity < need) {
    return Support::no("routing_map: row_capacity " + std::to_string(p.row_capacity) +
                       " is below the worst case " + std::to_string(need));
  }
  if (need > 0x7fffffff) return Support::no("routing_map: more than 2^31-1 rows");
  if (p.indices == nullptr || p.counts == nullptr || p.offsets == nullptr ||
      p.slot_rows == nullptr || p.row_slots == nullptr) {
    return Support::no("routing_map: null pointer");
  }
  return Support::yes();
}

void run(const RoutingMapParams& p, cudaStream_t stream) {
  require(can_implement(p));
  const std::int64_t slots = p.tokens * p.topk;
  check_cuda(cudaMemsetAsync(p.counts, 0, sizeof(std::int32_t) * p.num_experts, stream),
             "routing_map: clearing counts");
  check_cuda(cudaMemsetAsync(p.slot_rows, 0xFF, sizeof(std::int32_t) * slots, stream),
             "routing_map: clearing slot_rows");
  check_cuda(cudaMemsetAsync(p.row_slots, 0xFF, sizeof(std::int32_t) * p.row_capacity, stream),
             "routing_map: clearing row_slots");
  const unsigned blocks = detail::blocks_for(slots, kThreads);
  count_kernel<<<std::min(blocks, 4096u), kThreads, 0, stream>>>(p.indices, slots, p.num_experts,
                                                                 p.counts);
  check_launch("routing_map counts");
  offsets_kernel<<<1, 1, 0, stream>>>(p.counts, p.num_experts, p.row_alignment, p.offsets);
  check_launch("routing_map offsets");
  positions_kernel<<<static_cast<unsigned>(p.num_experts), kThreads, 0, stream>>>(
      p.indices, slots, p.offsets, p.slot_rows, p.row_slots);
  check_launch("routing_map positions");
}

Support can_implement(const PermuteParams& p) {
  Support s = check_rows("permute", p.hidden, p.x, p.out);
  if (!s.ok()) return s;
  if (p.topk <= 0 || p.rows <= 0 || p.rows > 0x7fffffff)
    return Support::no("permute: bad topk or rows");
  if (p.row_slots == nullptr) return Support::no("permute: null row_slots");
  return Support::yes();
}

void run(const PermuteParams& p, cudaStream_t stream) {
  require(can_implement(p));
  permute_kernel<<<static_cast<unsigned>(p.rows), 128, 0, stream>>>(
      detail::as_device(p.x), p.hidden, p.topk, p.row_slots, detail::as_device(p.out));
  check_launch("permute");
}

Support can_implement(const UnpermuteParams& p) {
  Support s = check_rows("unpermute", p.hidden, p.expert_out, p.y);
  if (!s.ok()) return s;
  if (p.topk <= 0 || p.tokens <= 0 || p.tokens > 0x7fffffff) {
    return Support::no("unpermute: bad topk or tokens");
  }
  if (p.slot_rows == nullptr || p.weights == nullptr) return Support::no("unpermute: null pointer");
  return Support::yes();
}

void run(const UnpermuteParams& p, cudaStream_t stream) {
  require(can_implement(p));
  unpermute_kernel<<<static_cast<unsigned>(p.tokens), 128, 0, stream>>>(
      detail::as_device(p.expert_out), p.hidden, p.slot_rows, p.weights, p.topk,
      detail::as_device(p.y));
  check_launch("unpermute");
}

}  // namespace moesim::kernels
