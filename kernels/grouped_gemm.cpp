// kernels/grouped_gemm.h: the experts' GEMMs, one cuBLASLt call per non-empty expert.
// Host code only (no nvcc needed).
#include "kernels/grouped_gemm.h"

#include <string>
#include <type_traits>

#include "kernels/cuda_error.h"
#include "kernels/fp8_layout.h"

namespace moesim::kernels {
namespace {

std::int64_t segment_rows(const std::int32_t* row_offsets, int e) {
  return static_cast<std::int64_t>(row_offsets[e + 1]) - row_offsets[e];
}

// An absent (null) operand stays null rather than becoming an offset pointer, so that
// can_implement reports it.
std::int64_t output_bytes(GemmOutput type) { return type == GemmOutput::kBf16 ? 2 : 4; }

template <typename T>
T* advance(T* p, std::int64_t elements) {
  return p == nullptr ? nullptr : p + elements;
}

void* advance_output(void* d, GemmOutput type, std::int64_t elements) {
  return d == nullptr ? nullptr : static_cast<char*>(d) + elements * output_bytes(type);
}

// Checks common to both precisions: the offsets themselves.
Support check_offsets(const char* who, int experts, const std::int32_t* row_offsets,
                      std::int64_t in_features, std::int64_t out_features, const void* d) {
  const std::string w = who;
  if (experts <= 0) return Support::no(w + ": no experts");
  if (in_features <= 0 || out_features <= 0) return Support::no(w + ": empty in or out features");
  if (row_offsets == nullptr) return Support::no(w + ": null row_offsets (a host array)");
  if (d == nullptr) return Support::no(w + ": null output");
  if (row_offsets[0] != 0) return Support::no(w + ": row_offsets[0] must be 0");
  for (int e = 0; e < experts; ++e) {
    if (row_offsets[e + 1] < row_offsets[e]) {
      return Support::no(w + ": row_offsets decrease at expert " + std::to_string(e));
    }
  }
  return Support::yes();
}

Fp8GemmParams expert_params(const GroupedFp8GemmParams& p, int e) {
  const GemmShape s =
      linear_gemm_shape(p.pass, segment_rows(p.row_offsets, e), p.in_features, p.out_features);
  const GroupedOperandOffsets o =
      grouped_operand_offsets(p.pass, p.row_offsets, e, p.in_features, p.out_features);
  return Fp8GemmParams{advance(p.a, o.a),
                       advance(p.a_scales, o.a_scales),
                       s.a,
                       advance(p.b, o.b),
                       advance(p.b_scales, o.b_scales),
                       s.b,
                       advance_output(p.d, p.d_type, o.d),
                       p.d_type,
                       s.m,
                       s.n,
                       s.k};
}

Bf16GemmParams expert_params(const GroupedBf16GemmParams& p, int e) {
  const GemmShape s =
      linear_gemm_shape(p.pass, segment_rows(p.row_offsets, e), p.in_features, p.out_features);
  const GroupedOperandOffsets o =
      grouped_operand_offsets(p.pass, p.row_offsets, e, p.in_features, p.out_features);
  return Bf16GemmParams{advance(p.a, o.a),
                        advance(p.b, o.b),
                        advance_output(p.d, p.d_type, o.d),
                        p.d_type,
                        s.m,
                        s.n,
                        s.k};
}

std::string expert_reason(const char* who, int e, std::int64_t rows, const Support& s) {
  return std::string(who) + ": expert " + std::to_string(e) + " (" + std::to_string(rows) +
         " rows): " + s.reason;
}

// The experts' loop shared by both precisions; GroupedParams is either params struct.
template <typename GroupedParams>
Support check_experts(const char* who, const GroupedParams& p) {
  Support s = check_offsets(who, p.experts, p.row_offsets, p.in_features, p.out_features, p.d);
  if (!s.ok()) return s;
  for (int e = 0; e < p.experts; ++e) {
    const std::int64_t rows = segment_rows(p.row_offsets, e);
    if (rows == 0) continue;
    if (p.pass == LinearPass::kWeightGrad && rows % kFp8TileSize != 0 &&
        std::is_same_v<GroupedParams, GroupedFp8GemmParams>) {
      return Support::no(expert_reason(
          who, e, rows,
          Support::no("the weight gradient contracts over the expert's tokens, which the FP8 "
                      "recipe cuts into 1x128 tiles: segments must be multiples of 128 rows "
                      "(routing map row_alignment 128)")));
    }
    const Support one = can_implement(expert_params(p, e));
    if (!one.ok()) return Support::no(expert_reason(who, e, rows, one));
  }
  return Support::yes();
}

template <typename GroupedParams>
void run_experts(const GroupedParams& p, CublasLt& lt, cudaStream_t stream) {
  for (int e = 0; e < p.experts; ++e) {
    const auto one = expert_params(p, e);
    if (one.k == 0 && p.pass == LinearPass::kWeightGrad) {
      // No tokens: the expert's weight gradient is zero.
      check_cuda(
          cudaMemsetAsync(one.d, 0,
                          static_cast<std::size_t>(one.m * one.n * output_bytes(p.d_type)), stream),
          "grouped gemm: zeroing the weight gradient of expert " + std::to_string(e));
      continue;
    }
    if (one.m == 0) continue;
    run(one, lt, stream);
  }
}

}  // namespace

GroupedOperandOffsets grouped_operand_offsets(LinearPass pass, const std::int32_t* row_offsets,
                                              int e, std::int64_t in_features,
                                              std::int64_t out_features) {
  GroupedOperandOffsets o;
  for (int f = 0; f < e; ++f) {
    const GemmShape s =
        linear_gemm_shape(pass, segment_rows(row_offsets, f), in_features, out_features);
    o.a += s.m * s.k;
    o.b += s.n * s.k;
    o.d += s.m * s.n;
    o.a_scales += activation_scale_count(s.m, s.k);
    o.b_scales += s.b == Fp8Granularity::kTile1x128 ? activation_scale_count(s.n, s.k)
                                                    : weight_scale_count(s.n, s.k);
  }
  return o;
}

Support can_implement(const GroupedFp8GemmParams& p) {
  return check_experts("grouped_fp8_gemm", p);
}

Support can_implement(const GroupedBf16GemmParams& p) {
  return check_experts("grouped_bf16_gemm", p);
}

void run(const GroupedFp8GemmParams& p, CublasLt& lt, cudaStream_t stream) {
  require(can_implement(p));
  run_experts(p, lt, stream);
}

void run(const GroupedBf16GemmParams& p, CublasLt& lt, cudaStream_t stream) {
  require(can_implement(p));
  run_experts(p, lt, stream);
}

}  // namespace moesim::kernels
