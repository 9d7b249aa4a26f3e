#include "real/layer_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace moesim::real {
namespace {

const LayerOp* find(const std::vector<LayerOp>& ops, const std::string& name, LayerPass pass) {
  for (const LayerOp& op : ops)
    if (op.name == name && op.pass == pass) return &op;
  return nullptr;
}

std::string usage_error(LayerKindOption kind, double scale, std::int64_t tokens) {
  try {
    layer_dims(kind, scale, tokens);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(LayerDims, ScaleOneIsDeepSeekV3) {
  const LayerDims d = layer_dims(LayerKindOption::kMoe, 1.0, 4096);
  EXPECT_EQ(d.hidden, 7168);
  EXPECT_EQ(d.heads, 128);
  EXPECT_EQ(d.qk_nope_head_dim + d.qk_rope_head_dim, 192);
  EXPECT_EQ(d.v_head_dim, 128);
  EXPECT_EQ(d.q_lora_rank, 1536);
  EXPECT_EQ(d.kv_lora_rank, 512);
  EXPECT_EQ(d.experts, 256);
  EXPECT_EQ(d.topk, 8);
  EXPECT_EQ(d.moe_intermediate, 2048);
  EXPECT_EQ(d.shared_experts, 1);
  EXPECT_EQ(d.seq, 4096);
  EXPECT_EQ(d.batch, 1);
  EXPECT_EQ(layer_dims(LayerKindOption::kDense, 1.0, 4096).dense_intermediate, 18432);
}

TEST(LayerDims, HalfScaleHalvesTheWidthsAndKeepsTheRanks) {
  const LayerDims d = layer_dims(LayerKindOption::kMoe, 0.5, 4096);
  EXPECT_EQ(d.hidden, 3584);
  EXPECT_EQ(d.heads, 64);
  EXPECT_EQ(d.experts, 128);
  EXPECT_EQ(d.moe_intermediate, 1024);
  EXPECT_EQ(d.q_lora_rank, 1536);
  EXPECT_EQ(d.topk, 8);
  EXPECT_EQ(layer_dims(LayerKindOption::kDense, 0.5, 4096).dense_intermediate, 9216);
  // Down to 1/8 every width stays tileable.
  for (double s : {0.25, 0.125}) {
    EXPECT_NO_THROW(layer_dims(LayerKindOption::kMoe, s, 1024)) << s;
    EXPECT_NO_THROW(layer_dims(LayerKindOption::kDense, s, 1024)) << s;
  }
}

TEST(LayerDims, BadScaleOrTokensIsAClearError) {
  EXPECT_NE(usage_error(LayerKindOption::kMoe, 0.3, 4096).find("hidden 7168 x 0.3 = 2150.4 is "
                                                               "not a whole number"),
            std::string::npos);
  // 7168 / 16 = 448: whole, but not a multiple of the FP8 tile.
  const std::string e = usage_error(LayerKindOption::kDense, 0.0625, 4096);
  EXPECT_NE(e.find("hidden"), std::string::npos) << e;
  EXPECT_NE(e.find("multiple of 128"), std::string::npos) << e;
  EXPECT_NE(usage_error(LayerKindOption::kMoe, 1.0, 4096 + 128).find("4096-token sequences"),
            std::string::npos);
  EXPECT_EQ(layer_dims(LayerKindOption::kMoe, 1.0, 8192).batch, 2);
  EXPECT_EQ(layer_dims(LayerKindOption::kMoe, 1.0, 1024).seq, 1024);
}

TEST(LayerPlan, MoeLayerAtScaleOneHasV3Shapes) {
  const std::vector<LayerOp> ops = plan_layer(layer_dims(LayerKindOption::kMoe, 1.0, 4096));
  const LayerOp* qkv = find(ops, "mla.qkv_a_proj", LayerPass::kForward);
  ASSERT_NE(qkv, nullptr);
  EXPECT_EQ(qkv->kernel, LayerKernel::kFp8Gemm);
  EXPECT_EQ(qkv->in, 7168);
  EXPECT_EQ(qkv->out, 1536 + 512 + 64);
  EXPECT_EQ(find(ops, "mla.q_b_proj", LayerPass::kForward)->out, 128 * 192);
  EXPECT_EQ(find(ops, "mla.kv_b_proj", LayerPass::kForward)->out, 128 * 256);
  EXPECT_EQ(find(ops, "attn.o_proj", LayerPass::kForward)->in, 128 * 128);
  const LayerOp* core = find(ops, "attn.core", LayerPass::kForward);
  EXPECT_EQ(core->kernel, LayerKernel::kMlaAttention);
  EXPECT_EQ(core->heads, 128);
  EXPECT_EQ(core->seq, 4096);
  EXPECT_EQ(find(ops, "attn.core", LayerPass::kBackwardInput)->kernel,
            LayerKernel::kMlaAttentionBackward);
  const LayerOp* gate = find(ops, "moe.gate", LayerPass::kForward);
  EXPECT_EQ(gate->kernel, LayerKernel::kBf16Gemm);  // V3TR §3.3.1: the gate stays out of FP8
  EXPECT_TRUE(gate->fp32_output);
  EXPECT_EQ(gate->out, 256);
  const LayerOp* up = find(ops, "moe.experts.gate_up_proj", LayerPass::kForward);
  EXPECT_EQ(up->kernel, LayerKernel::kGroupedFp8Gemm);
  EXPECT_EQ(up->groups, 256);
  EXPECT_EQ(up->tokens, 4096 * 8);
  EXPECT_EQ(up->out, 2 * 2048);
  EXPECT_EQ(find(ops, "moe.experts.down_proj", LayerPass::kBackwardWeight)->kernel,
            LayerKernel::kGroupedFp8Gemm);
  EXPECT_EQ(find(ops, "moe.shared.gate_up_proj", LayerPass::kForward)->out, 2048 * 2);
  EXPECT_EQ(find(ops, "moe.shared.down_proj", LayerPass::kBackwardWeight)->kernel,
            LayerKernel::kFp8Gemm);
  EXPECT_EQ(find(ops, "ffn.gate_up_proj", LayerPass::kForward), nullptr);
  const LayerOp* rope_q = find(ops, "attn.rope.q", LayerPass::kForward);
  EXPECT_EQ(rope_q->head_stride, 192);
  EXPECT_EQ(rope_q->rope_offset, 128);
  EXPECT_EQ(find(ops, "attn.rope.k", LayerPass::kBackwardInput)->token_stride, 576);
  EXPECT_TRUE(find(ops, "moe.permute", LayerPass::kBackwardInput)->unit_weights);
}

TEST(LayerPlan, PassesAreInOrderAndSkipsSayWhy) {
  const std::vector<LayerOp> ops = plan_layer(layer_dims(LayerKindOption::kMoe, 1.0, 4096));
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end(), [](const LayerOp& a, const LayerOp& b) {
    return a.pass < b.pass;
  }));
  int fp8_skips = 0;
  for (const LayerOp& op : ops) {
    EXPECT_EQ(op.kernel == LayerKernel::kNone, !op.reason.empty()) << op.name;
    if (op.reason.find("FP8 recipe") != std::string::npos) {
      ++fp8_skips;
      // V3's fused q_a + kv_a output, 2112 wide, is the contraction of its data gradient.
      EXPECT_EQ(op.name, "mla.qkv_a_proj");
      EXPECT_EQ(op.pass, LayerPass::kBackwardInput);
    }
  }
  EXPECT_EQ(fp8_skips, 1);
  EXPECT_EQ(find(ops, "moe.unpermute", LayerPass::kBackwardInput)->kernel, LayerKernel::kNone);
  EXPECT_EQ(find(ops, "attn.residual", LayerPass::kForward)->kernel, LayerKernel::kNone);
  // Every GEMM has a weight gradient in W.
  for (const LayerOp& op : ops)
    if (op.pass == LayerPass::kForward && layer_gemm_mnk(op).m > 0) {
      EXPECT_NE(find(ops, op.name, LayerPass::kBackwardWeight), nullptr) << op.name;
    }
}

TEST(LayerPlan, EveryScaledLayerIsTileableButQkvADgrad) {
  for (auto kind : {LayerKindOption::kDense, LayerKindOption::kMoe}) {
    for (double s : {1.0, 0.5, 0.25, 0.125}) {
      const LayerDims d = layer_dims(kind, s, 512);
      for (const LayerOp& op : plan_layer(d)) {
        if (op.reason.find("FP8 recipe") == std::string::npos) continue;
        EXPECT_EQ(op.name, "mla.qkv_a_proj") << s;
      }
    }
  }
}

TEST(LayerPlan, DenseLayerHasTheDenseFfn) {
  const std::vector<LayerOp> ops = plan_layer(layer_dims(LayerKindOption::kDense, 0.5, 1024));
  const LayerOp* up = find(ops, "ffn.gate_up_proj", LayerPass::kForward);
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->in, 3584);
  EXPECT_EQ(up->out, 2 * 9216);
  EXPECT_EQ(find(ops, "ffn.swiglu", LayerPass::kBackwardInput)->kernel,
            LayerKernel::kSwigluBackward);
  const GemmMnk w = layer_gemm_mnk(*find(ops, "ffn.down_proj", LayerPass::kBackwardWeight));
  EXPECT_EQ(w.m, 3584);  // dW [out][in], k = tokens
  EXPECT_EQ(w.n, 9216);
  EXPECT_EQ(w.k, 1024);
  EXPECT_EQ(find(ops, "moe.gate", LayerPass::kForward), nullptr);
}

}  // namespace
}  // namespace moesim::real
