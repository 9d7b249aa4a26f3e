#include "gui/parameter_labels.h"

namespace moesim::gui {

const std::vector<ParameterLabel>& parameter_labels() {
  static const std::vector<ParameterLabel> kLabels = {
      {"/cluster/gpu", "GPU"},
      {"/cluster/nodes", "Nodes"},
      {"/cluster/gpus_per_node", "GPUs per node"},
      {"/cluster/nvlink_GB_per_s", "NVLink GB/s"},
      {"/cluster/ib_GB_per_s", "InfiniBand GB/s"},
      {"/plan/pp", "PP (pipeline)"},
      {"/plan/ep", "EP (experts)"},
      {"/plan/dp", "DP (data)"},
      {"/plan/tp", "TP (tensor)"},
      {"/plan/etp", "ETP (expert tensor)"},
      {"/plan/cp", "CP (context)"},
      {"/plan/zero_stage", "ZeRO stage"},
      {"/plan/schedule", "Schedule"},
      {"/plan/virtual_stages", "Virtual stages"},
      {"/plan/micro_batch_size", "Micro-batch size"},
      {"/plan/comm_sms", "Comm SMs"},
      {"/plan/redundant_experts", "Redundant experts"},
      {"/plan/recompute/norm", "Recompute norm"},
      {"/plan/recompute/mla_up_proj", "Recompute MLA up-proj"},
      {"/plan/recompute/swiglu", "Recompute SwiGLU"},
      {"/plan/recompute/full", "Recompute full layer"},
      {"/plan/recompute/layers", "Full-recompute layers per chunk"},
      {"/plan/ep_a2a_overlap", "EP all-to-all overlap"},
      {"/plan/shared_expert_overlap", "Shared-expert overlap"},
      {"/plan/tp_comm_overlap", "TP comm overlap"},
      {"/plan/reshard_after_forward", "Reshard after forward (ZeRO-3)"},
      {"/precision/kind", "Kind", "Precision"},
      {"/precision/fp8_dispatch", "FP8 dispatch"},
      {"/training/phases/0/tokens", "Tokens", "Tokens (first phase)"},
      {"/training/phases/0/seq_len", "Sequence length", "Sequence length (first phase)"},
      {"/training/phases/0/global_batch", "Global batch (seqs)",
       "Global batch (seqs, first phase)"},
      {"/training/phases/0/batch_ramp/from", "Batch ramp from",
       "Batch ramp from (first phase)"},
      {"/training/price_per_gpu_hour_usd", "Price $/GPU-hour"},
      {"/training/routing/popularity", "Expert popularity"},
      {"/training/routing/zipf_exponent", "Zipf exponent"},
      {"/training/routing/seed", "Routing seed"},
      {"/training/balancing/method", "Load balancing"},
      {"/training/balancing/gamma", "Bias gamma (aux_free)"},
      {"/training/balancing/capacity_factor", "Capacity factor"},
  };
  return kLabels;
}

QString parameter_label(const std::string& pointer) {
  for (const ParameterLabel& p : parameter_labels())
    if (pointer == p.pointer) return QString(p.full_label ? p.full_label : p.label);
  return QString::fromStdString(pointer);
}

}  // namespace moesim::gui
