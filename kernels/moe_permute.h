#pragma once
// Token permutation by expert, for the routed experts' grouped GEMM, and the weighted
// un-permutation (combine) after it.
//
// A "slot" is one (token t, choice j) of the gate's output, numbered t * topk + j. The
// routing map sorts slots by expert, stably (within an expert, by slot number), so that
// expert e's rows are [offsets[e], offsets[e] + counts[e]) of the permuted buffer; each
// segment is padded up to a multiple of row_alignment (128 for a grouped GEMM that tiles
// M by 128, as DeepGEMM's contiguous layout requires). Indices outside [0, num_experts)
// (e.g. -1 for experts on other EP ranks) are dropped: their slot_rows entry is -1.
// CPU references: reference::routing_map, permute, unpermute (moe_reference.h).
// Device pointers; run() enqueues on `stream`; errors as in kernels/support.h.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/support.h"

namespace moesim::kernels {

// Rows a permuted buffer needs in the worst case: every slot, plus padding.
constexpr std::int64_t permuted_row_capacity(std::int64_t tokens, int topk, int num_experts,
                                             int row_alignment) {
  return tokens * topk + static_cast<std::int64_t>(num_experts) * (row_alignment - 1);
}

// REQUIRES: num_experts <= 1024.
struct RoutingMapParams {
  const std::int32_t* indices = nullptr;  // [tokens][topk], from the gate
  std::int64_t tokens = 0;
  int topk = 0;
  int num_experts = 0;
  int row_alignment = 1;
  std::int32_t* counts = nullptr;     // [num_experts]: slots routed to each expert
  std::int32_t* offsets = nullptr;    // [num_experts + 1]; offsets[num_experts] = rows used
  std::int32_t* slot_rows = nullptr;  // [tokens * topk]: permuted row of each slot, or -1
  std::int32_t* row_slots = nullptr;  // [row_capacity]: slot feeding each row; -1 = padding/unused
  std::int64_t row_capacity = 0;      // >= permuted_row_capacity(...)
};
Support can_implement(const RoutingMapParams& p);
void run(const RoutingMapParams& p, cudaStream_t stream);

// out[r] = x[row_slots[r] / topk] for every row; zero rows where row_slots[r] < 0.
// REQUIRES: hidden % 8 == 0; x, out 16-byte aligned.
struct PermuteParams {
  const Bf16* x = nullptr;  // [tokens][hidden]
  std::int64_t hidden = 0;
  int topk = 0;
  const std::int32_t* row_slots = nullptr;  // [rows]
  std::int64_t rows = 0;
  Bf16* out = nullptr;  // [rows][hidden]
};
Support can_implement(const PermuteParams& p);
void run(const PermuteParams& p, cudaStream_t stream);

// y[t] = bf16( sum over j = 0..topk-1 with slot_rows[t*topk+j] >= 0, in that order, of
//              weights[t*topk+j] * expert_out[slot_rows[t*topk+j]] ), FP32 accumulation.
// REQUIRES: hidden % 8 == 0; expert_out, y 16-byte aligned.
struct UnpermuteParams {
  const Bf16* expert_out = nullptr;  // [rows][hidden]
  std::int64_t hidden = 0;
  const std::int32_t* slot_rows = nullptr;  // [tokens][topk]
  const float* weights = nullptr;           // [tokens][topk], from the gate
  std::int64_t tokens = 0;
  int topk = 0;
  Bf16* y = nullptr;  // [tokens][hidden]
};
Support can_implement(const UnpermuteParams& p);
void run(const UnpermuteParams& p, cudaStream_t stream);

}  // namespace moesim::kernels
