#pragma once
// Which kernel of kernels/ times each entry of a shape list, at what exact shape, or
// why none can. Decided before any GPU work (and tested without a GPU), so that a shape
// the FP8 recipe cannot tile is reported up front, with the file and JSON path, rather
// than halfway through a run.
//
// GEMMs map back to a Linear (tokens, in, out) from the compute model's convention
// (sim/cost/profile_shapes.h): F (tokens, out, in), B (tokens, in, out), W (in, out,
// tokens), and run as kernels::linear_gemm_shape(pass, tokens, in, out). Grouped GEMMs
// pad each expert's rows up to 128, as the routing map does for a grouped GEMM that
// tiles M by 128 (kernels/moe_permute.h); the profile records the rows run.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/cost/profile_shapes.h"

namespace moesim::real {

enum class CaseKind {
  kSkip,            // no kernel (reason says why)
  kFp8Gemm,
  kBf16Gemm,
  kGroupedFp8Gemm,
  kGroupedBf16Gemm,
  kRmsNormForward,
  kSwigluForward,
  kMlaAttentionForward,   // kernels/mla_attention.h
  kMlaAttentionBackward,  // B pass: dQ, dK, dV
};

enum class LinearPassCode { kForward, kDataGrad, kWeightGrad };

struct ProfileCase {
  std::size_t index = 0;  // in the shape list
  ProfileShape shape;
  CaseKind kind = CaseKind::kSkip;
  std::string reason;      // kSkip: why
  bool untileable = false; // kSkip because the FP8 recipe cannot tile the shape
  // GEMMs: the Linear and the shape run (compute-model convention, as the profile records).
  LinearPassCode pass = LinearPassCode::kForward;
  std::int64_t tokens = 0, in = 0, out = 0;  // tokens: per expert for grouped GEMMs
  std::int64_t m = 0, n = 0, k = 0;
  int groups = 1;
  // Memory-bound kernels: the tensor walked.
  std::int64_t rows = 0, cols = 0;
  // Attention: batch x seq tokens, heads.
  std::int64_t batch = 0, seq = 0, heads = 0;
};

// Every shape gets a case. Untileable FP8 shapes are an InputError (file, /shapes/i,
// the kernel's reason, and the hint to pass --skip-untileable) unless skip_untileable.
std::vector<ProfileCase> plan_profile(const ProfileShapeList& list, const std::string& file,
                                      bool skip_untileable);

}  // namespace moesim::real
