// TP and ETP on MoE layers (issue 16 part 1), as Megatron-Core runs them with
// sequence parallelism: each GPU routes its 1/tp of the tokens; an EP rank
// is etp GPUs that all run its rows on 1/etp of the expert width. Checked:
// no expert row is computed twice at any TP or ETP, ETP narrows each GPU's
// experts (weights and width) where TP alone leaves them whole, and the ETP
// and TP collectives against hand computations.
#include <gtest/gtest.h>

#include "sim/cost/comm_model.h"
#include "sim/cost/stage_cost.h"
#include "sim/model/layer_graph.h"
#include "tests/cost/headline_fixture.h"

namespace moesim {
namespace {

struct ExpertWork {
  double flops = 0;   // routed experts' grouped GEMMs, forward, per GPU
  double params = 0;  // routed experts' weights per GPU
  double width = 0;   // the up-projection's N per expert (2 x intermediate / etp)
  double rows = 0;    // rows per GPU
};

ExpertWork routed_work(int tp, int etp) {
  const ModelSpec m = testing::deepseek_v3();
  ExpandContext ctx;
  ctx.tokens = ctx.seq_len = 4096;
  ctx.tp = tp;
  ctx.etp = etp;
  ctx.ep = 64;
  const LayerOps l = expand_layer(m, LayerKind::kMoe, ctx);
  ExpertWork w;
  for (const Op& op : l.ops) {
    if (op.kind != OpKind::kGroupedGemm) continue;
    w.flops += flops(op.fwd.flops);
    w.params += op.params;
    if (op.name == "moe.experts.gate_up_proj") {
      w.width = op.gemm.n;
      w.rows = op.gemm.m * op.gemm.groups;
    }
  }
  return w;
}

TEST(ExpertTensorParallel, NoExpertRowIsComputedTwice) {
  // A TP group holds the micro-batch's 4,096 tokens; each of its tp GPUs
  // must run 1/tp of their 4,096 x 8 expert applications, each 3 GEMMs of
  // 2 x 7168 x 2048 FLOPs: at TP8 an eighth, whatever the ETP.
  const double per_application = 3 * 2.0 * 7168 * 2048;
  for (int tp : {1, 2, 8})
    for (int etp : {1, 2, 4}) {
      const double expect = 4096.0 * 8 * per_application / tp;
      EXPECT_NEAR(routed_work(tp, etp).flops, expect, 1e-9 * expect) << tp << " " << etp;
    }
}

TEST(ExpertTensorParallel, EtpNarrowsEachGpusExpertsWhereTpAloneKeepsThemWhole) {
  const ExpertWork base = routed_work(1, 1);
  EXPECT_EQ(base.width, 2.0 * 2048);
  for (int tp : {2, 8}) {  // TP alone: whole experts, 1/tp of the rows
    const ExpertWork w = routed_work(tp, 1);
    EXPECT_EQ(w.width, base.width);
    EXPECT_EQ(w.params, base.params);
    EXPECT_NEAR(w.rows, base.rows / tp, 1e-9 * base.rows);
  }
  for (int etp : {2, 4}) {  // ETP: 1/etp of each expert, etp x the rows
    const ExpertWork w = routed_work(2, etp);
    EXPECT_EQ(w.width, base.width / etp);
    EXPECT_NEAR(w.params, base.params / etp, 1e-9 * base.params);
    EXPECT_NEAR(w.rows, base.rows / 2 * etp, 1e-9 * base.rows);
  }
}

TEST(ExpertTensorParallel, CollectivesByHand) {
  // DeepSeek-V3 at TP2 x ETP2: each GPU dispatches 2,048 of the 4,096
  // tokens; its EP rank's two GPUs all-gather their 2 x 2,048 x 8 rows of
  // 7,168 FP8 values (+ a scale per 128) after the dispatch and
  // reduce-scatter the BF16 outputs before the combine, on NVLink.
  Scenario s = testing::headline();
  s.plan.tp = 2;
  s.plan.etp = 2;
  s.plan.dp = 64;
  const StageCosts c = price_stages(s, 16, 4096, true);
  const UnitCost& u = c.units.moe;
  const ClusterSpec& cl = s.cluster;
  const double rows = 2.0 * 2048 * 8, d = 7168;
  const double bw = bytes_per_s(cl.nvlink_achievable), lat = seconds(cl.nvlink_latency);
  const double gather = 0.5 * rows * d * (1 + 4.0 / 128) / bw + lat;
  const double scatter = 0.5 * rows * d * 2 / bw + lat;
  EXPECT_NEAR(seconds(u.etp_gather), gather, 1e-9 * gather);
  EXPECT_NEAR(seconds(u.etp_scatter), scatter, 1e-9 * scatter);
  // TP with sequence parallelism: an all-gather before and a reduce-scatter
  // after the attention and after the shared expert, each of the TP
  // group's 4,096 x 7,168 BF16 activations: 4 ring collectives a pass.
  const double act = 4096.0 * d * 2;
  const double one = 0.5 * act / bw + lat;
  EXPECT_NEAR(seconds(u.tp_fwd), 4 * one, 1e-9 * one);
  EXPECT_NEAR(seconds(u.tp_bwd), 4 * one, 1e-9 * one);
  // No ETP, no ETP collectives.
  s.plan.etp = 1;
  EXPECT_EQ(seconds(price_stages(s, 16, 4096, true).units.moe.etp_gather), 0.0);
}

TEST(ExpertTensorParallel, ExpertShardsAndGradientSyncSpanTheRightRanks) {
  ParallelPlan p;
  p.dp = 16;
  p.tp = 2;
  p.cp = 2;
  p.ep = 8;
  p.etp = 2;
  EXPECT_EQ(p.weight_replicas(), 32);  // dense weights: dp x cp
  EXPECT_EQ(p.expert_replicas(), 4);   // 64 GPUs of a stage over ep x etp = 16
  EXPECT_EQ(p.moe_tokens_per_gpu(8192), 2048);  // 8192 / cp 2 / tp 2
}

}  // namespace
}  // namespace moesim
