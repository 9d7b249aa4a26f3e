#include <climits>
#include <string>

#include "kernels/cuda_error.h"
#include "kernels/detail/device_util.cuh"
#include "kernels/moe_gate.h"

namespace moesim::kernels {
namespace {

constexpr int kWarps = 4;
constexpr unsigned kFull = 0xffffffffu;

// Warp-wide maximum of (value, index) with ties to the lower index; every lane gets it.
__device__ inline void warp_argmax(float& v, int& idx) {
  for (int offset = 16; offset > 0; offset >>= 1) {
    const float ov = __shfl_xor_sync(kFull, v, offset);
    const int oi = __shfl_xor_sync(kFull, idx, offset);
    if (ov > v || (ov == v && oi < idx)) {
      v = ov;
      idx = oi;
    }
  }
}

// One warp per token. Shared memory per warp: the affinities and the biased scores.
__global__ void moe_gate_kernel(const float* __restrict__ logits, const float* __restrict__ bias,
                                std::int64_t tokens, MoeGateConfig c,
                                std::int32_t* __restrict__ indices, float* __restrict__ weights) {
  extern __shared__ float smem[];
  const int warp = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  const std::int64_t token = static_cast<std::int64_t>(blockIdx.x) * kWarps + warp;
  if (token >= tokens) return;  // whole warps leave; no block-wide barrier follows
  const int experts = c.num_experts;
  const int group_size = experts / c.num_groups;
  float* affinity = smem + warp * 2 * experts;
  float* choice = affinity + experts;

  for (int e = lane; e < experts; e += 32) {
    const float s = __fdiv_rn(1.0f, __fadd_rn(1.0f, expf(-logits[token * experts + e])));
    affinity[e] = s;
    choice[e] = __fadd_rn(s, bias[e]);
  }
  __syncwarp();

  // Group scores: lane g sums the two largest biased scores of group g.
  float group_score = -INFINITY;
  if (lane < c.num_groups) {
    float best = -INFINITY, second = -INFINITY;
    for (int i = 0; i < group_size; ++i) {
      const float v = choice[lane * group_size + i];
      if (v > best) {
        second = best;
        best = v;
      } else if (v > second) {
        second = v;
      }
    }
    group_score = __fadd_rn(best, second);
  }
  unsigned kept = 0;  // bit g set: group g kept; the same in every lane
  for (int k = 0; k < c.topk_groups; ++k) {
    float v = (lane < c.num_groups && !((kept >> lane) & 1u)) ? group_score : -INFINITY;
    int g = lane;
    warp_argmax(v, g);
    kept |= 1u << g;
  }

  int my_expert = 0;  // lane j < topk: the j-th chosen expert
  for (int k = 0; k < c.topk; ++k) {
    float v = -INFINITY;
    int idx = INT_MAX;
    for (int e = lane; e < experts; e += 32) {
      if (!((kept >> (e / group_size)) & 1u)) continue;
      const float s = choice[e];
      if (s > v) {  // ascending e: strict > keeps the lower index among equals
        v = s;
        idx = e;
      }
    }
    warp_argmax(v, idx);
    if (lane == k) my_expert = idx;
    __syncwarp();
    if (lane == 0) choice[idx] = -INFINITY;
    __syncwarp();
  }

  float total = 0.0f;
  for (int j = 0; j < c.topk; ++j)
    total = __fadd_rn(total, affinity[__shfl_sync(kFull, my_expert, j)]);
  if (lane < c.topk) {
    indices[token * c.topk + lane] = my_expert;
    weights[token * c.topk + lane] =
        __fmul_rn(__fdiv_rn(affinity[my_expert], total), c.route_scale);
  }
}

}  // namespace

Support check_gate_config(const MoeGateConfig& c) {
  auto no = [](const std::string& why) { return Support::no("moe_gate: " + why); };
  if (c.num_experts <= 0 || c.num_groups <= 0) return no("no experts or groups");
  if (c.num_experts % c.num_groups != 0) {
    return no(std::to_string(c.num_experts) + " experts do not split into " +
              std::to_string(c.num_groups) + " equal groups");
  }
  if (c.num_experts / c.num_groups < 2) return no("groups need at least 2 experts (top-2 sums)");
  if (c.topk_groups <= 0 || c.topk_groups > c.num_groups) {
    return no("topk_groups " + std::to_string(c.topk_groups) + " outside [1, num_groups]");
  }
  if (c.topk <= 0 || c.topk > c.topk_groups * (c.num_experts / c.num_groups)) {
    return no("topk " + std::to_string(c.topk) + " outside [1, experts in the kept groups]");
  }
  return Support::yes();
}

Support can_implement(const MoeGateParams& p) {
  Support s = check_gate_config(p.config);
  if (!s.ok()) return s;
  if (p.config.num_groups > 32 || p.config.topk > 32 || p.config.num_experts > 1024) {
    return Support::no("moe_gate: the kernel handles at most 32 groups, topk 32, 1024 experts");
  }
  if (p.tokens <= 0) return Support::no("moe_gate: no tokens");
  if (p.logits == nullptr || p.bias == nullptr || p.indices == nullptr || p.weights == nullptr) {
    return Support::no("moe_gate: null pointer");
  }
  return Support::yes();
}

void run(const MoeGateParams& p, cudaStream_t stream) {
  require(can_implement(p));
  const std::size_t smem =
      sizeof(float) * 2 * static_cast<std::size_t>(p.config.num_experts) * kWarps;
  moe_gate_kernel<<<detail::blocks_for(p.tokens, kWarps), kWarps * 32, smem, stream>>>(
      p.logits, p.bias, p.tokens, p.config, p.indices, p.weights);
  check_launch("moe_gate");
}

}  // namespace moesim::kernels
