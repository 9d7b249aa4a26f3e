#include "sim/model/detail/op_builders.h"

namespace moesim::detail {

Op make_gemm(std::string name, double m, double n, double k, int groups, bool fp8_eligible,
             bool fp8_recipe) {
  Op op;
  op.name = std::move(name);
  op.kind = groups > 1 ? OpKind::kGroupedGemm : OpKind::kGemm;
  op.fp8_eligible = fp8_eligible;
  op.gemm = GemmShape{m, n, k, groups};
  const double g = groups;
  const double in_b = (fp8_eligible && fp8_recipe) ? kFp8Bytes : kBf16Bytes;
  const Flops f = FlopCount(2.0 * m * n * k * g);
  op.fwd = Work{f, ByteCount(g * ((m * k + k * n) * in_b + m * n * kBf16Bytes))};
  op.bwd_input = Work{f, ByteCount(g * ((m * n + k * n) * in_b + m * k * kBf16Bytes))};
  op.bwd_weight = Work{f, ByteCount(g * ((m * k + m * n) * in_b + k * n * kFp32Bytes))};
  op.params = g * n * k;
  op.params_activated = op.params;
  return op;
}

Op make_memory_op(std::string name, double elements, int reads, int writes,
                  double flops_per_element) {
  Op op;
  op.name = std::move(name);
  op.kind = OpKind::kMemoryBound;
  const double fwd_bytes = elements * (reads + writes) * kBf16Bytes;
  op.fwd = Work{FlopCount(elements * flops_per_element), ByteCount(fwd_bytes)};
  op.bwd_input = Work{FlopCount(2.0 * elements * flops_per_element), ByteCount(2.0 * fwd_bytes)};
  return op;
}

Op make_norm(std::string name, double tokens, double width, bool fp8_recipe) {
  Op op = make_memory_op(std::move(name), tokens * width, 1, 1, 4.0);
  op.saved = ByteCount(tokens * width * cached_bytes(fp8_recipe));
  op.recompute = RecomputeGroup::kNorm;
  op.params = width;
  op.params_activated = width;
  return op;
}

Op make_residual(std::string name, double tokens, double width) {
  Op op = make_memory_op(std::move(name), tokens * width, 2, 1, 1.0);
  op.saved = ByteCount(tokens * width * kBf16Bytes);
  return op;
}

}  // namespace moesim::detail
