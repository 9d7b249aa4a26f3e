// Which kernel times each shape of the DeepSeek-V3 headline's list, decided without a GPU.
#include "real/profile_plan.h"

#include <gtest/gtest.h>

#include "sim/core/diagnostics.h"
#include "tests/cost/headline_fixture.h"

namespace moesim::real {
namespace {

const ProfileCase* find(const std::vector<ProfileCase>& cases, const std::string& name, Pass pass) {
  for (const auto& c : cases)
    if (c.shape.name == name && c.shape.pass == pass) return &c;
  return nullptr;
}

TEST(ProfilePlan, UntileableFp8ShapeIsAnErrorNamingTheShape) {
  const ProfileShapeList l = profile_shapes(testing::headline());
  try {
    plan_profile(l, "v3.shapes.json", false);
    FAIL() << "the dgrad of the fused q_a + kv_a projection (k = 2112) cannot be tiled";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("v3.shapes.json: /shapes/"), std::string::npos) << what;
    EXPECT_NE(what.find("mla.qkv_a_proj (B)"), std::string::npos) << what;
    EXPECT_NE(what.find("not a multiple of 128"), std::string::npos) << what;
    EXPECT_NE(what.find("--skip-untileable"), std::string::npos) << what;
  }
}

TEST(ProfilePlan, HeadlineCasesWithSkipUntileable) {
  const std::vector<ProfileCase> cases =
      plan_profile(profile_shapes(testing::headline()), "v3.shapes.json", true);
  const ProfileCase* dgrad = find(cases, "mla.qkv_a_proj", Pass::kBackwardInput);
  ASSERT_NE(dgrad, nullptr);
  EXPECT_EQ(dgrad->kind, CaseKind::kSkip);
  EXPECT_TRUE(dgrad->untileable);

  const ProfileCase* fwd = find(cases, "mla.qkv_a_proj", Pass::kForward);
  ASSERT_NE(fwd, nullptr);
  EXPECT_EQ(fwd->kind, CaseKind::kFp8Gemm);
  EXPECT_EQ(fwd->tokens, 4096);
  EXPECT_EQ(fwd->in, 7168);
  EXPECT_EQ(fwd->out, 2112);

  const ProfileCase* wgrad = find(cases, "attn.o_proj", Pass::kBackwardWeight);
  ASSERT_NE(wgrad, nullptr);
  EXPECT_EQ(wgrad->kind, CaseKind::kFp8Gemm);
  EXPECT_EQ(wgrad->in, 16384);
  EXPECT_EQ(wgrad->out, 7168);
  EXPECT_EQ(wgrad->tokens, 4096);
  EXPECT_EQ(wgrad->m, 16384);  // recorded in the compute model's convention
  EXPECT_EQ(wgrad->k, 4096);

  const ProfileCase* experts = find(cases, "moe.experts.gate_up_proj", Pass::kForward);
  ASSERT_NE(experts, nullptr);
  EXPECT_EQ(experts->kind, CaseKind::kGroupedFp8Gemm);
  EXPECT_EQ(experts->groups, 4);
  EXPECT_EQ(experts->tokens, 8192);

  const ProfileCase* head = find(cases, "head.proj", Pass::kForward);
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->kind, CaseKind::kBf16Gemm);

  const ProfileCase* attn = find(cases, "attn.core", Pass::kBackwardInput);
  ASSERT_NE(attn, nullptr);
  EXPECT_EQ(attn->kind, CaseKind::kMlaAttentionBackward);
  EXPECT_EQ(attn->batch, 1);
  EXPECT_EQ(attn->seq, 4096);
  EXPECT_EQ(attn->heads, 128);

  const ProfileCase* norm = find(cases, "mla.kv_norm", Pass::kForward);
  ASSERT_NE(norm, nullptr);
  EXPECT_EQ(norm->kind, CaseKind::kRmsNormForward);
  const ProfileCase* residual = find(cases, "attn.residual", Pass::kForward);
  ASSERT_NE(residual, nullptr);
  EXPECT_EQ(residual->kind, CaseKind::kSkip);
  EXPECT_FALSE(residual->reason.empty());
}

TEST(ProfilePlan, GroupedGemmRowsArePaddedTo128) {
  Scenario s = testing::headline();
  s.plan.ep = 8;  // 32 local experts, 4096 x 8 x 8 / 256 = 1024 tokens each
  s.plan.micro_batch_size = 1;
  s.training.phases[0].seq_len = 1000;  // 1000 x 8 x 8 / 256 = 250 -> 256 rows run
  const std::vector<ProfileCase> cases = plan_profile(profile_shapes(s), "x.json", true);
  const ProfileCase* experts = find(cases, "moe.experts.down_proj", Pass::kBackwardWeight);
  ASSERT_NE(experts, nullptr);
  EXPECT_EQ(experts->kind, CaseKind::kGroupedFp8Gemm);
  EXPECT_EQ(experts->tokens, 256);
  EXPECT_EQ(experts->k, 256);
}

}  // namespace
}  // namespace moesim::real
