#pragma once
// The routed experts' grouped GEMM: E local experts, expert e owning rows
// [row_offsets[e], row_offsets[e + 1]) of the permuted token buffer (the routing map's padded
// offsets, kernels/moe_permute.h), all with the same in and out features. One call runs one
// pass of the experts' Linear for every expert (V3TR §3.3.1: Fprop, Dgrad, Wgrad):
//   kForward:    y_e  [M_e][out]  = x_e  . W_e^T     (grouped along M; k = in)
//   kDataGrad:   dx_e [M_e][in]   = dy_e . W_e       (grouped along M; k = out)
//   kWeightGrad: dW_e [out][in]   = dy_e^T . x_e     (grouped along K; k = M_e)
// with M_e = row_offsets[e + 1] - row_offsets[e], padding rows included (they are zero
// after permute, so they add nothing). Each expert's GEMM is linear_gemm_shape(pass, M_e,
// in, out) in TN form (kernels/gemm.h).
//
// Operand storage ("packed per expert"): each of a, b, d (and their scales) holds the
// experts' operands one after another, expert 0 first, each laid out exactly as the
// single GEMM of kernels/gemm.h reads it (scales per kernels/fp8_layout.h for that expert's
// own row count). grouped_operand_offsets() says where expert e's operands start. For the
// M-grouped passes this is the permuted buffer itself ([rows][k], rows contiguous); its
// 1x128 scales are per expert (quantize_activations run on each segment), not the
// whole-buffer column-block-major layout that DeepGEMM's contiguous grouped kernel reads.
//
// This version loops over the experts on the host and calls the cuBLASLt wrapper once per
// expert with M_e > 0: cuBLASLt per expert is the floor. The goal is one fused grouped
// kernel (DeepGEMM's m_grouped / k_grouped GEMMs) reading row_offsets on the device, so
// that the host need not know the token counts. Experts with M_e = 0 launch nothing; in
// the kWeightGrad pass their dW_e is set to zero (cudaMemsetAsync), as it is the gradient.
//
// CPU reference: kernels/reference/grouped_gemm_reference.h.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/gemm.h"
#include "kernels/support.h"

namespace moesim::kernels {

// Where expert e's operands start in the packed a, b and d, in elements (FP8 codes, BF16
// values or output values), and where their scales start, in floats.
struct GroupedOperandOffsets {
  std::int64_t a = 0;
  std::int64_t b = 0;
  std::int64_t d = 0;
  std::int64_t a_scales = 0;
  std::int64_t b_scales = 0;
};

// REQUIRES: row_offsets[0] == 0, non-decreasing; e in [0, experts].
// With e == experts it gives the packed sizes (the counts every buffer must hold).
GroupedOperandOffsets grouped_operand_offsets(LinearPass pass, const std::int32_t* row_offsets,
                                              int e, std::int64_t in_features,
                                              std::int64_t out_features);

// REQUIRES (can_implement): row_offsets a host array of experts + 1 entries, starting at 0,
// non-decreasing; every non-empty expert's GEMM accepted by can_implement(Fp8GemmParams).
// For the FP8 recipe that means: the contraction dimension a multiple of 128 (in for
// kForward, out for kDataGrad: V3's experts, 7168 -> 2 x 2048 -> 7168, qualify); output
// columns a multiple of 8; segment rows a multiple of 4 in kForward and kDataGrad (1x128
// scale columns are read as 16-byte vectors) and of 128 in kWeightGrad (k = M_e is cut
// into 1x128 tiles along tokens). A routing map with row_alignment 128 gives both.
struct GroupedFp8GemmParams {
  LinearPass pass = LinearPass::kForward;
  int experts = 0;
  const std::int32_t* row_offsets = nullptr;  // HOST memory, [experts + 1]
  std::int64_t in_features = 0;
  std::int64_t out_features = 0;
  const std::uint8_t* a = nullptr;  // packed E4M3, 1x128 scales
  const float* a_scales = nullptr;
  const std::uint8_t* b = nullptr;  // packed E4M3; 128x128 (kForward, kDataGrad) or 1x128
  const float* b_scales = nullptr;
  void* d = nullptr;  // packed output
  GemmOutput d_type = GemmOutput::kBf16;
};
Support can_implement(const GroupedFp8GemmParams& p);
void run(const GroupedFp8GemmParams& p, CublasLt& lt, cudaStream_t stream);

// The same without scales. REQUIRES: in and out multiples of 8; in kWeightGrad, segment
// rows multiples of 8 (k = M_e).
struct GroupedBf16GemmParams {
  LinearPass pass = LinearPass::kForward;
  int experts = 0;
  const std::int32_t* row_offsets = nullptr;  // HOST memory, [experts + 1]
  std::int64_t in_features = 0;
  std::int64_t out_features = 0;
  const Bf16* a = nullptr;
  const Bf16* b = nullptr;
  void* d = nullptr;
  GemmOutput d_type = GemmOutput::kBf16;
};
Support can_implement(const GroupedBf16GemmParams& p);
void run(const GroupedBf16GemmParams& p, CublasLt& lt, cudaStream_t stream);

}  // namespace moesim::kernels
