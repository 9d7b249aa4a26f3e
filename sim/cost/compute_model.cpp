#include "sim/cost/compute_model.h"

#include "sim/core/check.h"

namespace moesim {

ComputeModel::ComputeModel(const GpuSpec& gpu, const EfficiencyTable& table, bool fp8_recipe,
                           int comm_sms)
    : gpu_(&gpu), table_(&table), fp8_recipe_(fp8_recipe) {
  MOESIM_CHECK(comm_sms >= 0 && comm_sms < gpu.sm_count, "comm_sms out of range");
  sm_share_ = static_cast<double>(gpu.sm_count - comm_sms) / gpu.sm_count;
}

namespace {

CalibratedPass calibrated(Pass p) {
  switch (p) {
    case Pass::kForward: return CalibratedPass::kForward;
    case Pass::kBackwardInput: return CalibratedPass::kInputGrad;
    case Pass::kBackwardWeight: return CalibratedPass::kWeightGrad;
  }
  return CalibratedPass::kAny;
}

}  // namespace

ComputeModel::Priced ComputeModel::price(const Op& op, Pass pass) const {
  const Work& w = pass == Pass::kForward         ? op.fwd
                  : pass == Pass::kBackwardInput ? op.bwd_input
                                                 : op.bwd_weight;
  if (w.flops == Flops() && w.bytes == Bytes()) return {};
  const CalibratedPass cp = calibrated(pass);
  const CalibratedBlock block = in_mlp_block(op) ? CalibratedBlock::kMlp : CalibratedBlock::kAttn;
  // Memory-bound classes: an in-training rate for the class, pass and block
  // when the profile has one (a trace), else the memory figure.
  double memory_eff = table_->memory_efficiency();
  if (op.kind == OpKind::kMemoryBound || op.kind == OpKind::kFp8Cast) {
    const CalibratedOp cls =
        op.kind == OpKind::kFp8Cast ? CalibratedOp::kFp8Cast : CalibratedOp::kMemory;
    memory_eff = table_->in_training_efficiency(cls, false, cp, block).value_or(memory_eff);
  }
  const Seconds memory = w.bytes / (gpu_->hbm_bandwidth * memory_eff);
  Seconds compute;
  switch (op.kind) {
    case OpKind::kGemm:
    case OpKind::kGroupedGemm: {
      const bool fp8 = op.fp8_eligible && fp8_recipe_;
      const FlopsPerSecond peak = fp8 ? gpu_->peak_fp8 : gpu_->peak_bf16;
      // The backward GEMMs are the forward's transposes: dX[m,k] = dY[m,n] W^T
      // and dW[k,n] = X^T[k,m] dY[m,n]; look efficiency up at the shape run.
      const GemmShape& g = op.gemm;
      double m = g.m, n = g.n, k = g.k;
      if (pass == Pass::kBackwardInput) {
        n = g.k;
        k = g.n;
      } else if (pass == Pass::kBackwardWeight) {
        m = g.k;
        n = g.n;
        k = g.m;
      }
      const double eff =
          table_->in_training_efficiency(CalibratedOp::kGemm, fp8, cp, block)
              .value_or(table_->gemm_efficiency(m, n, k, fp8));
      compute = w.flops / (peak * (eff * sm_share_));
      break;
    }
    case OpKind::kAttention: {
      const double eff = table_->in_training_efficiency(CalibratedOp::kAttention, false, cp, block)
                             .value_or(table_->attention_efficiency());
      compute = w.flops / (gpu_->peak_bf16 * (eff * sm_share_));
      break;
    }
    case OpKind::kFp8Cast:  // bandwidth-bound, like the memory-bound ops
    case OpKind::kMemoryBound:
    case OpKind::kEmbedding:
      compute = w.flops / (gpu_->peak_fp32 * sm_share_);
      break;
  }
  if (compute > memory) return {compute, compute};
  return {memory, Seconds()};
}

}  // namespace moesim
