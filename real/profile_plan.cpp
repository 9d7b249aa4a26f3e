#include "real/profile_plan.h"

#include <cmath>
#include <cstdint>

#include "kernels/fp8_layout.h"
#include "kernels/gemm.h"
#include "kernels/grouped_gemm.h"
#include "kernels/mla_attention.h"
#include "sim/core/diagnostics.h"

namespace moesim::real {

namespace {

namespace k = moesim::kernels;

// can_implement() also checks pointers for null and 16-byte alignment; the plan asks
// only about shapes, so it passes this aligned, never-dereferenced address.
template <typename T>
T* shape_only() {
  return reinterpret_cast<T*>(std::uintptr_t{1} << 28);
}

k::LinearPass kernel_pass(LinearPassCode p) {
  switch (p) {
    case LinearPassCode::kForward: return k::LinearPass::kForward;
    case LinearPassCode::kDataGrad: return k::LinearPass::kDataGrad;
    case LinearPassCode::kWeightGrad: return k::LinearPass::kWeightGrad;
  }
  return k::LinearPass::kForward;
}

std::int64_t whole(double v) { return static_cast<std::int64_t>(std::ceil(v)); }

// From the compute model's (m, n, k) back to the Linear, and the shape run.
void set_linear(ProfileCase& c, std::int64_t tokens_run) {
  const ProfileShape& s = c.shape;
  switch (s.pass) {
    case Pass::kForward:
      c.pass = LinearPassCode::kForward;
      c.out = whole(s.n);
      c.in = whole(s.k);
      break;
    case Pass::kBackwardInput:
      c.pass = LinearPassCode::kDataGrad;
      c.in = whole(s.n);
      c.out = whole(s.k);
      break;
    case Pass::kBackwardWeight:
      c.pass = LinearPassCode::kWeightGrad;
      c.in = whole(s.m);
      c.out = whole(s.n);
      break;
  }
  c.tokens = tokens_run;
  c.groups = s.groups;
  switch (s.pass) {
    case Pass::kForward: c.m = c.tokens, c.n = c.out, c.k = c.in; break;
    case Pass::kBackwardInput: c.m = c.tokens, c.n = c.in, c.k = c.out; break;
    case Pass::kBackwardWeight: c.m = c.in, c.n = c.out, c.k = c.tokens; break;
  }
}

double tokens_of(const ProfileShape& s) { return s.pass == Pass::kBackwardWeight ? s.k : s.m; }

k::Support gemm_support(const ProfileCase& c) {
  const k::GemmShape g = k::linear_gemm_shape(kernel_pass(c.pass), c.tokens, c.in, c.out);
  if (c.shape.op_class == ProfileClass::kGemm) {
    if (c.shape.fp8)
      return k::can_implement(k::Fp8GemmParams{shape_only<std::uint8_t>(), shape_only<float>(),
                                               g.a, shape_only<std::uint8_t>(),
                                               shape_only<float>(), g.b, shape_only<void>(),
                                               k::GemmOutput::kBf16, g.m, g.n, g.k});
    return k::can_implement(k::Bf16GemmParams{shape_only<k::Bf16>(), shape_only<k::Bf16>(),
                                              shape_only<void>(), k::GemmOutput::kBf16, g.m, g.n,
                                              g.k});
  }
  std::vector<std::int32_t> offsets(c.groups + 1);
  for (int e = 0; e <= c.groups; ++e) offsets[e] = static_cast<std::int32_t>(e * c.tokens);
  if (c.shape.fp8) {
    k::GroupedFp8GemmParams p;
    p.pass = kernel_pass(c.pass);
    p.experts = c.groups;
    p.row_offsets = offsets.data();
    p.in_features = c.in;
    p.out_features = c.out;
    p.a = shape_only<std::uint8_t>();
    p.a_scales = shape_only<float>();
    p.b = shape_only<std::uint8_t>();
    p.b_scales = shape_only<float>();
    p.d = shape_only<void>();
    return k::can_implement(p);
  }
  k::GroupedBf16GemmParams p;
  p.pass = kernel_pass(c.pass);
  p.experts = c.groups;
  p.row_offsets = offsets.data();
  p.in_features = c.in;
  p.out_features = c.out;
  p.a = shape_only<k::Bf16>();
  p.b = shape_only<k::Bf16>();
  p.d = shape_only<void>();
  return k::can_implement(p);
}

bool is_norm(const std::string& n) {
  return n == "attn.norm" || n == "ffn.norm" || n == "head.norm" || n == "mla.q_norm" ||
         n == "mla.kv_norm" || n == "mtp.norm_hidden" || n == "mtp.norm_embed";
}

bool is_swiglu(const std::string& n) {
  return n.size() >= 7 && n.compare(n.size() - 7, 7, ".swiglu") == 0;
}

void plan_attention(ProfileCase& c) {
  const AttentionDims& a = c.shape.attention;
  if (a.head_dim_qk != k::kMlaQkHeadDim || a.head_dim_v != k::kMlaVHeadDim ||
      a.kv_heads != a.heads) {
    c.reason = "kernels/ has MLA attention only (head dims 192/128, one K/V head per query "
               "head); this attention is not MLA";
    return;
  }
  if (a.heads != std::floor(a.heads) || std::fmod(a.tokens, a.seq_len) != 0) {
    c.reason = "attention heads per GPU or tokens per sequence are not whole numbers";
    return;
  }
  c.batch = static_cast<std::int64_t>(a.tokens / a.seq_len);
  c.seq = static_cast<std::int64_t>(a.seq_len);
  c.heads = static_cast<std::int64_t>(a.heads);
  k::MlaAttentionShape shape;
  shape.batch = c.batch;
  shape.seq = c.seq;
  shape.heads = c.heads;
  shape.softmax_scale = 1.0f;  // any valid value: the plan checks shapes only
  const k::Support sup = k::can_implement(k::MlaAttentionForwardParams{
      shape_only<k::Bf16>(), shape_only<k::Bf16>(), shape_only<k::Bf16>(), shape_only<k::Bf16>(),
      shape_only<float>(), shape});
  if (!sup.ok()) {
    c.reason = sup.reason;
    return;
  }
  c.kind = c.shape.pass == Pass::kForward ? CaseKind::kMlaAttentionForward
                                          : CaseKind::kMlaAttentionBackward;
}

}  // namespace

std::vector<ProfileCase> plan_profile(const ProfileShapeList& list, const std::string& file,
                                      bool skip_untileable) {
  Diagnostics d;
  std::vector<ProfileCase> cases;
  for (std::size_t i = 0; i < list.shapes.size(); ++i) {
    ProfileCase c;
    c.index = i;
    c.shape = list.shapes[i];
    const ProfileShape& s = c.shape;
    switch (s.op_class) {
      case ProfileClass::kGemm:
      case ProfileClass::kGroupedGemm: {
        const bool grouped = s.op_class == ProfileClass::kGroupedGemm;
        // Grouped: tokens per expert padded to the routing map's 128-row segments.
        const std::int64_t tokens =
            grouped ? k::round_up(whole(tokens_of(s)), k::kFp8TileSize) : whole(tokens_of(s));
        set_linear(c, tokens);
        const k::Support sup = gemm_support(c);
        if (sup.ok()) {
          c.kind = grouped ? (s.fp8 ? CaseKind::kGroupedFp8Gemm : CaseKind::kGroupedBf16Gemm)
                           : (s.fp8 ? CaseKind::kFp8Gemm : CaseKind::kBf16Gemm);
        } else {
          c.reason = sup.reason;
          c.untileable = true;
          if (!skip_untileable)
            d.add(file, "/shapes/" + std::to_string(i),
                  s.name + " (" + pass_code(s.pass) + "): " + sup.reason +
                      "; pass --skip-untileable to record it as skipped");
        }
        break;
      }
      case ProfileClass::kAttention:
        plan_attention(c);
        break;
      case ProfileClass::kMemory:
        if (s.rows <= 0) {
          c.reason = "no kernel in kernels/ for " + s.name + " alone";
        } else if (s.pass != Pass::kForward) {
          c.reason = "no backward kernel in kernels/ for " + s.name + " yet";
        } else if (is_norm(s.name)) {
          c.kind = CaseKind::kRmsNormForward;
        } else if (is_swiglu(s.name)) {
          c.kind = CaseKind::kSwigluForward;
        } else {
          c.reason = "no standalone profile case for " + s.name +
                     " (the layer runner times it inside the MoE block)";
        }
        c.rows = whole(s.rows);
        c.cols = whole(s.cols);
        break;
    }
    cases.push_back(std::move(c));
  }
  d.throw_if_any();
  return cases;
}

}  // namespace moesim::real
