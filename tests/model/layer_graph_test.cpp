#include "sim/model/layer_graph.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/model/test_models.h"

namespace moesim {

namespace {
const Op* find(const LayerOps& l, const std::string& name) {
  for (const auto& op : l.ops)
    if (op.name == name) return &op;
  return nullptr;
}
}  // namespace

TEST(LayerGraph, MlaLayerHasTheDeepGemmShapes) {
  // The DeepGEMM table's V3 shapes (shared/reference §10.1): fused q_a+kv_a
  // N=2112 K=7168; q_b N=24576 K=1536; kv_b N=32768 K=512; o_proj N=7168 K=16384.
  ExpandContext ctx;
  LayerOps l = expand_layer(testing::deepseek_v3(), LayerKind::kMoe, ctx);
  const Op* a = find(l, "mla.qkv_a_proj");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->gemm.n, 2112);
  EXPECT_EQ(a->gemm.k, 7168);
  EXPECT_EQ(find(l, "mla.q_b_proj")->gemm.n, 24576);
  EXPECT_EQ(find(l, "mla.kv_b_proj")->gemm.n, 32768);
  EXPECT_EQ(find(l, "attn.o_proj")->gemm.k, 16384);
}

TEST(LayerGraph, ExpertGemmsAreGroupedByEp) {
  // EP64: 4 local experts, each receiving 4096*8*64/256 = 8192 tokens: the
  // DeepGEMM grouped-contiguous shape 4 x 8192 x 4096 x 7168 (§10.2).
  ExpandContext ctx;
  ctx.ep = 64;
  LayerOps l = expand_layer(testing::deepseek_v3(), LayerKind::kMoe, ctx);
  const Op* up = find(l, "moe.experts.gate_up_proj");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->kind, OpKind::kGroupedGemm);
  EXPECT_EQ(up->gemm.groups, 4);
  EXPECT_EQ(up->gemm.m, 8192);
  EXPECT_EQ(up->gemm.n, 4096);
  EXPECT_EQ(up->gemm.k, 7168);
  // The routed FLOPs per GPU do not depend on EP (balanced routing).
  ExpandContext one;
  LayerOps l1 = expand_layer(testing::deepseek_v3(), LayerKind::kMoe, one);
  EXPECT_DOUBLE_EQ(flops(find(l1, "moe.experts.gate_up_proj")->fwd.flops), flops(up->fwd.flops));
}

TEST(LayerGraph, Fp8OnlyOnLinearsAndItHalvesOperandBytes) {
  ExpandContext bf16, fp8;
  fp8.fp8 = true;
  LayerOps a = expand_layer(testing::deepseek_v3(), LayerKind::kMoe, bf16);
  LayerOps b = expand_layer(testing::deepseek_v3(), LayerKind::kMoe, fp8);
  EXPECT_FALSE(find(b, "moe.gate")->fp8_eligible);  // V3TR §3.3.1: gating in BF16
  EXPECT_TRUE(find(b, "mla.q_b_proj")->fp8_eligible);
  EXPECT_LT(bytes(find(b, "mla.q_b_proj")->fwd.bytes), bytes(find(a, "mla.q_b_proj")->fwd.bytes));
  EXPECT_EQ(find(b, "moe.gate")->fwd.bytes, find(a, "moe.gate")->fwd.bytes);
  EXPECT_LT(bytes(b.ops.front().saved), bytes(a.ops.front().saved));
}

TEST(LayerGraph, TensorParallelSplitsHeadsAndFfn) {
  ExpandContext t1, t8;
  t8.tp = 8;
  ModelSpec m = testing::llama31_405b();
  LayerOps a = expand_layer(m, LayerKind::kDense, t1);
  LayerOps b = expand_layer(m, LayerKind::kDense, t8);
  EXPECT_NEAR(flops(b.total_fwd().flops) * 8, flops(a.total_fwd().flops),
              0.01 * flops(a.total_fwd().flops));
}

TEST(LayerGraph, OpNamesAreUniqueWithinALayer) {
  for (LayerKind k : {LayerKind::kDense, LayerKind::kMoe, LayerKind::kHead}) {
    LayerOps l = expand_layer(testing::deepseek_v3(), k, ExpandContext{});
    std::set<std::string> names;
    for (const auto& op : l.ops) EXPECT_TRUE(names.insert(op.name).second) << op.name;
  }
}

TEST(LayerGraph, MtpSharesEmbeddingAndHead) {
  LayerOps l = expand_layer(testing::deepseek_v3(), LayerKind::kMtp, ExpandContext{});
  EXPECT_EQ(find(l, "embed.lookup")->params, 0);
  EXPECT_EQ(find(l, "head.proj")->params, 0);
  EXPECT_GT(find(l, "mtp.proj")->params, 0);
}

}  // namespace moesim

namespace moesim {

TEST(ModelSpec, MoeLayerCountMatchesTheHfRule) {
  ModelSpec m = testing::deepseek_v3();
  for (int first : {0, 1, 3, 7}) {
    for (int freq : {1, 2, 3}) {
      for (int layers : {1, 5, 61}) {
        m.num_layers = layers;
        m.moe.first_dense_layers = first;
        m.moe.layer_freq = freq;
        int n = 0;
        for (int i = 0; i < layers; ++i) n += m.is_moe_layer(i) ? 1 : 0;
        EXPECT_EQ(m.num_moe_layers(), n) << first << " " << freq << " " << layers;
      }
    }
  }
}

TEST(ModelSpec, AbsurdLayerCountsAreRejected) {
  ModelSpec m = testing::mixtral_8x7b();
  m.num_layers = 2147483647;
  auto e = validate(m);
  ASSERT_FALSE(e.empty());
  EXPECT_NE(e[0].find("layers:"), std::string::npos);
}

}  // namespace moesim
