#include "sim/model/accounting.h"

#include "sim/model/layer_graph.h"

namespace moesim {

namespace {
Flops train_flops(const LayerOps& l) {
  return l.total_fwd().flops + l.total_bwd_input().flops + l.total_bwd_weight().flops;
}
}  // namespace

ModelSummary summarize(const ModelSpec& m, int seq_len) {
  ModelSummary s;
  s.seq_len = seq_len;
  ExpandContext ctx;
  ctx.tokens = seq_len;
  ctx.seq_len = seq_len;
  const double t = seq_len;

  Flops train, fwd;
  auto add = [&](const LayerOps& l, int count) {
    s.params_total += l.params() * count;
    s.params_activated += l.params_activated() * count;
    train += train_flops(l) * count;
    fwd += l.total_fwd().flops * count;
  };
  LayerOps emb = expand_layer(m, LayerKind::kEmbedding, ctx);
  s.params_embedding = emb.params();
  add(emb, 1);
  s.num_moe_layers = m.num_moe_layers();
  s.num_dense_layers = m.num_layers - s.num_moe_layers;
  if (s.num_dense_layers > 0) add(expand_layer(m, LayerKind::kDense, ctx), s.num_dense_layers);
  if (s.num_moe_layers > 0) add(expand_layer(m, LayerKind::kMoe, ctx), s.num_moe_layers);
  add(expand_layer(m, LayerKind::kHead, ctx), 1);
  s.train_flops_per_token = train / t;
  s.forward_flops_per_token = fwd / t;

  if (m.mtp_depth > 0) {
    LayerOps mtp = expand_layer(m, LayerKind::kMtp, ctx);
    s.mtp_params = mtp.params() * m.mtp_depth;
    s.mtp_params_activated = mtp.params_activated() * m.mtp_depth;
    s.mtp_train_flops_per_token = train_flops(mtp) * m.mtp_depth / t;
  }

  const auto& a = m.attention;
  const double per_layer = a.kind == AttentionKind::kMla
                               ? static_cast<double>(a.kv_lora_rank + a.qk_rope_head_dim)
                               : 2.0 * a.num_kv_heads * a.head_dim;
  s.kv_cache_bytes_per_token = ByteCount(per_layer * m.num_layers * 2.0);
  return s;
}

}  // namespace moesim
