#pragma once
// Whole-model figures, computed from the same operator graphs the cost model
// uses (TP = EP = 1, one sequence per micro-batch). Definitions, so that each
// figure can be compared with what is published (validation/published/README.md):
//  - params_total: every weight of the main model, embedding and head included,
//    MTP modules excluded (the "671B" convention of V3TR §4.2).
//  - params_activated: weights one token touches (top-k routed experts only).
//  - mtp_params: weights unique to the MTP modules (embedding and head shared).
//  - train_flops_per_token: model FLOPs of forward + backward (B + W) of the main
//    model per token: GEMMs 2mnk each pass, causal attention T(S+1)/2 pairs per
//    head, norms/activations/loss included (they are <1%), embedding 0, no
//    recomputation and no MTP. MTP's share is reported apart.
//  - kv_cache_bytes_per_token: BF16 inference KV cache over the main layers: MLA
//    keeps kv_lora_rank + qk_rope_head_dim per layer (V3: 70,272 B, ISCA Table 1);
//    GQA keeps K and V for every KV head.

#include "sim/core/units.h"
#include "sim/model/model_spec.h"

namespace moesim {

struct ModelSummary {
  int seq_len = 0;
  double params_total = 0;
  double params_activated = 0;
  double params_embedding = 0;  // input embedding (plus head when tied)
  double mtp_params = 0;
  double mtp_params_activated = 0;
  Flops train_flops_per_token;
  Flops forward_flops_per_token;
  Flops mtp_train_flops_per_token;
  Bytes kv_cache_bytes_per_token;
  int num_dense_layers = 0;
  int num_moe_layers = 0;
};

// REQUIRES: validate(m) is empty; seq_len >= 1.
ModelSummary summarize(const ModelSpec& m, int seq_len);

}  // namespace moesim
