#include "sim/cost/profile_shapes.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "sim/core/diagnostics.h"
#include "sim/core/json_checks.h"
#include "sim/cost/stage_cost.h"

namespace moesim {

using nlohmann::json;

bool AttentionDims::operator==(const AttentionDims& o) const {
  return tokens == o.tokens && seq_len == o.seq_len && heads == o.heads &&
         kv_heads == o.kv_heads && head_dim_qk == o.head_dim_qk && head_dim_v == o.head_dim_v;
}

bool ProfileShape::same_shape(const ProfileShape& o) const {
  if (op_class != o.op_class || fp8 != o.fp8 || pass != o.pass) return false;
  switch (op_class) {
    case ProfileClass::kGemm:
    case ProfileClass::kGroupedGemm:
      return m == o.m && n == o.n && k == o.k && groups == o.groups;
    case ProfileClass::kAttention:
      return attention == o.attention;
    case ProfileClass::kMemory:
      // Different kernels at the same size are different measurements.
      return name == o.name && rows == o.rows && cols == o.cols && bytes == o.bytes;
  }
  return false;
}

const char* to_string(ProfileClass c) {
  switch (c) {
    case ProfileClass::kGemm: return "gemm";
    case ProfileClass::kGroupedGemm: return "grouped_gemm";
    case ProfileClass::kAttention: return "attention";
    case ProfileClass::kMemory: return "memory";
  }
  return "?";
}

const char* pass_code(Pass p) {
  switch (p) {
    case Pass::kForward: return "F";
    case Pass::kBackwardInput: return "B";
    case Pass::kBackwardWeight: return "W";
  }
  return "?";
}

namespace {

// The tensor (rows x cols) each memory-bound op's kernel walks, for the ops that
// have a kernel in kernels/; the sizes follow sim/model/detail (attention_ops.cpp,
// ffn_ops.cpp, layer_graph.cpp). {0, 0} for ops real/ cannot run alone.
std::pair<double, double> memory_tensor(const std::string& name, const ModelSpec& m,
                                        const ExpandContext& ctx) {
  const double t = ctx.tokens, tp = ctx.tp, d = m.hidden;
  if (name == "attn.norm" || name == "ffn.norm" || name == "head.norm" ||
      name == "mtp.norm_hidden" || name == "mtp.norm_embed")
    return {t / tp, d};
  if (name == "mla.q_norm") return {t, static_cast<double>(m.attention.q_lora_rank)};
  if (name == "mla.kv_norm") return {t, static_cast<double>(m.attention.kv_lora_rank)};
  if (name == "ffn.swiglu") return {t, m.dense_intermediate / tp};
  const MoeShare moe = moe_share(m, ctx);
  if (name == "moe.experts.swiglu") return {moe.routed_rows, moe.width};
  if (name == "moe.shared.swiglu")
    return {t, static_cast<double>(m.moe.expert_intermediate) * m.moe.num_shared_experts / tp};
  if (name == "moe.topk") return {moe.tokens, static_cast<double>(m.moe.num_routed_experts)};
  if (name == "moe.permute" || name == "moe.unpermute") return {moe.routed_rows, d};
  return {0, 0};
}

AttentionDims attention_dims(const ModelSpec& m, const ExpandContext& ctx) {
  // As sim/model/detail/attention_ops.cpp calls attention_core().
  const auto& a = m.attention;
  AttentionDims x;
  x.tokens = ctx.tokens;
  x.seq_len = ctx.seq_len;
  x.heads = static_cast<double>(a.num_heads) / ctx.tp;
  if (a.kind == AttentionKind::kMla) {
    x.kv_heads = x.heads;
    x.head_dim_qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
    x.head_dim_v = a.v_head_dim;
  } else {
    x.kv_heads = std::max(1.0, static_cast<double>(a.num_kv_heads) / ctx.tp);
    x.head_dim_qk = x.head_dim_v = a.head_dim;
  }
  return x;
}

void add_shape(std::vector<ProfileShape>& out, ProfileShape s) {
  for (auto& have : out) {
    if (have.same_shape(s)) {
      if (std::find(have.names.begin(), have.names.end(), s.name) == have.names.end())
        have.names.push_back(s.name);
      return;
    }
  }
  s.names = {s.name};
  out.push_back(std::move(s));
}

void add_op(std::vector<ProfileShape>& out, const Op& op, const ModelSpec& m,
            const ExpandContext& ctx) {
  for (Pass pass : {Pass::kForward, Pass::kBackwardInput, Pass::kBackwardWeight}) {
    const Work& w = pass == Pass::kForward         ? op.fwd
                    : pass == Pass::kBackwardInput ? op.bwd_input
                                                   : op.bwd_weight;
    if (w.flops == Flops() && w.bytes == Bytes()) continue;  // the compute model skips it too
    ProfileShape s;
    s.name = op.name;
    s.pass = pass;
    s.flops = flops(w.flops);
    s.bytes = bytes(w.bytes);
    switch (op.kind) {
      case OpKind::kGemm:
      case OpKind::kGroupedGemm: {
        s.op_class = op.kind == OpKind::kGemm ? ProfileClass::kGemm : ProfileClass::kGroupedGemm;
        s.fp8 = op.fp8_eligible && ctx.fp8;
        s.groups = op.gemm.groups;
        // The transposes compute_model.cpp looks efficiency up at.
        const GemmShape& g = op.gemm;
        s.m = g.m;
        s.n = g.n;
        s.k = g.k;
        if (pass == Pass::kBackwardInput) {
          s.n = g.k;
          s.k = g.n;
        } else if (pass == Pass::kBackwardWeight) {
          s.m = g.k;
          s.n = g.n;
          s.k = g.m;
        }
        break;
      }
      case OpKind::kAttention:
        s.op_class = ProfileClass::kAttention;
        s.attention = attention_dims(m, ctx);
        break;
      case OpKind::kFp8Cast:
        // Not a shape real/ profiles on its own: its rate comes from a trace
        // (moesim calibrate --trace) or the memory figure.
        continue;
      case OpKind::kMemoryBound:
      case OpKind::kEmbedding: {
        s.op_class = ProfileClass::kMemory;
        const auto rc = memory_tensor(op.name, m, ctx);
        s.rows = rc.first;
        s.cols = rc.second;
        break;
      }
    }
    add_shape(out, std::move(s));
  }
}

void append_context(std::vector<ProfileShape>& out, const ModelSpec& m, const ExpandContext& ctx) {
  std::vector<LayerKind> kinds = {LayerKind::kEmbedding};
  const int moe_layers = m.num_moe_layers();
  if (moe_layers < m.num_layers) kinds.push_back(LayerKind::kDense);
  if (moe_layers > 0) kinds.push_back(LayerKind::kMoe);
  if (m.mtp_depth > 0) kinds.push_back(LayerKind::kMtp);
  kinds.push_back(LayerKind::kHead);
  for (LayerKind kind : kinds)
    for (const Op& op : expand_layer(m, kind, ctx).ops) add_op(out, op, m, ctx);
}

}  // namespace

ProfileShapeList profile_shapes(const ModelSpec& m, const ExpandContext& ctx) {
  ProfileShapeList l;
  l.model = m.name;
  l.precision = ctx.fp8 ? "fp8" : "bf16";
  l.tp = ctx.tp;
  l.ep = ctx.ep;
  append_context(l.shapes, m, ctx);
  return l;
}

ProfileShapeList profile_shapes(const Scenario& s) {
  ProfileShapeList l;
  l.scenario = s.name;
  l.model = s.model.name;
  l.gpu = s.cluster.gpu.name;
  l.precision = to_string(s.precision.kind);
  l.tp = s.plan.tp;
  l.ep = s.plan.ep;
  std::vector<int> seq_lens;
  for (const auto& ph : s.training.phases)
    if (std::find(seq_lens.begin(), seq_lens.end(), ph.seq_len) == seq_lens.end())
      seq_lens.push_back(ph.seq_len);
  for (int seq : seq_lens) append_context(l.shapes, s.model, expand_context(s, seq));
  return l;
}

}  // namespace moesim
