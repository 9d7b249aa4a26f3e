// The shape list a calibration profile should cover (sim/cost/profile_shapes.h):
// the DeepSeek-V3 headline's GEMMs at the shapes the compute model prices, the
// grouped expert GEMM with tokens per local expert, determinism, the file format
// round trip and its errors.
#include "sim/cost/profile_shapes.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "sim/core/diagnostics.h"
#include "tests/cost/headline_fixture.h"

namespace moesim {
namespace {

const ProfileShape* find(const ProfileShapeList& l, const std::string& name, Pass pass) {
  for (const auto& s : l.shapes)
    for (const auto& n : s.names)
      if (n == name && s.pass == pass) return &s;
  return nullptr;
}

void expect_gemm(const ProfileShapeList& l, const std::string& name, Pass pass, double m, double n,
                 double k, int groups, bool fp8) {
  const ProfileShape* s = find(l, name, pass);
  ASSERT_NE(s, nullptr) << name << " " << pass_code(pass);
  EXPECT_EQ(s->m, m) << name << " " << pass_code(pass);
  EXPECT_EQ(s->n, n) << name << " " << pass_code(pass);
  EXPECT_EQ(s->k, k) << name << " " << pass_code(pass);
  EXPECT_EQ(s->groups, groups) << name;
  EXPECT_EQ(s->fp8, fp8) << name;
  EXPECT_DOUBLE_EQ(s->flops, 2.0 * m * n * k * groups) << name << " " << pass_code(pass);
}

TEST(ProfileShapes, HeadlineMlaProjectionsAtTheComputeModelsShapes) {
  const ProfileShapeList l = profile_shapes(testing::headline());
  EXPECT_EQ(l.gpu, "H800");
  EXPECT_EQ(l.precision, "fp8");
  // Fused q_a + kv_a down-projection: N = 1536 + 512 + 64 (V3TR §2.1.1), K = 7168.
  expect_gemm(l, "mla.qkv_a_proj", Pass::kForward, 4096, 2112, 7168, 1, true);
  // dgrad: (tokens, in, out); wgrad: (in, out, tokens), as compute_model.cpp looks up.
  expect_gemm(l, "mla.qkv_a_proj", Pass::kBackwardInput, 4096, 7168, 2112, 1, true);
  expect_gemm(l, "mla.qkv_a_proj", Pass::kBackwardWeight, 7168, 2112, 4096, 1, true);
  expect_gemm(l, "mla.q_b_proj", Pass::kForward, 4096, 128 * 192, 1536, 1, true);
  expect_gemm(l, "mla.kv_b_proj", Pass::kForward, 4096, 128 * 256, 512, 1, true);
  expect_gemm(l, "attn.o_proj", Pass::kForward, 4096, 7168, 128 * 128, 1, true);
  // The gate and the output head stay in BF16 (V3TR §3.3.1).
  expect_gemm(l, "moe.gate", Pass::kForward, 4096, 256, 7168, 1, false);
  expect_gemm(l, "head.proj", Pass::kForward, 4096, 129280, 7168, 1, false);
}

TEST(ProfileShapes, HeadlineGroupedExpertGemmHasTokensPerLocalExpert) {
  const ProfileShapeList l = profile_shapes(testing::headline());
  // EP 64: 256 / 64 = 4 local experts; balanced routing gives each
  // 4096 x 8 x 64 / 256 = 8192 tokens.
  expect_gemm(l, "moe.experts.gate_up_proj", Pass::kForward, 8192, 2 * 2048, 7168, 4, true);
  expect_gemm(l, "moe.experts.down_proj", Pass::kForward, 8192, 7168, 2048, 4, true);
  expect_gemm(l, "moe.experts.down_proj", Pass::kBackwardWeight, 2048, 7168, 8192, 4, true);
  const ProfileShape* s = find(l, "moe.experts.gate_up_proj", Pass::kForward);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->op_class, ProfileClass::kGroupedGemm);
}

TEST(ProfileShapes, AttentionAndMemoryOpsCarryWhatTheirKernelsNeed) {
  const ProfileShapeList l = profile_shapes(testing::headline());
  const ProfileShape* a = find(l, "attn.core", Pass::kForward);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->op_class, ProfileClass::kAttention);
  EXPECT_EQ(a->attention.heads, 128);
  EXPECT_EQ(a->attention.head_dim_qk, 192);
  EXPECT_EQ(a->attention.head_dim_v, 128);
  EXPECT_EQ(a->attention.seq_len, 4096);
  EXPECT_EQ(find(l, "attn.core", Pass::kBackwardWeight), nullptr);  // no weights
  const ProfileShape* norm = find(l, "mla.kv_norm", Pass::kForward);
  ASSERT_NE(norm, nullptr);
  EXPECT_EQ(norm->rows, 4096);
  EXPECT_EQ(norm->cols, 512);
  EXPECT_GT(norm->bytes, 0);
  const ProfileShape* swiglu = find(l, "moe.experts.swiglu", Pass::kForward);
  ASSERT_NE(swiglu, nullptr);
  EXPECT_EQ(swiglu->rows, 4096 * 8);
  EXPECT_EQ(swiglu->cols, 2048);
}

TEST(ProfileShapes, DeduplicatedAndDeterministic) {
  const ProfileShapeList a = profile_shapes(testing::headline());
  const ProfileShapeList b = profile_shapes(testing::headline());
  EXPECT_EQ(to_json(a).dump(), to_json(b).dump());
  for (size_t i = 0; i < a.shapes.size(); ++i)
    for (size_t j = i + 1; j < a.shapes.size(); ++j)
      EXPECT_FALSE(a.shapes[i].same_shape(a.shapes[j])) << i << " and " << j;
  // attn.o_proj appears in dense, MoE and MTP layers: one entry per pass.
  int o_proj_forward = 0;
  for (const auto& s : a.shapes)
    if (s.name == "attn.o_proj" && s.pass == Pass::kForward) ++o_proj_forward;
  EXPECT_EQ(o_proj_forward, 1);
  EXPECT_EQ(a.shapes.front().name, "embed.lookup");  // layer order: embedding first
}

TEST(ProfileShapes, EveryPhaseSequenceLengthIsCovered) {
  Scenario s = testing::headline();
  TrainingPhase ext = s.training.phases[0];
  ext.name = "context extension";
  ext.seq_len = 32768;
  s.training.phases.push_back(ext);
  const ProfileShapeList l = profile_shapes(s);
  bool long_attention = false;
  for (const auto& x : l.shapes)
    if (x.op_class == ProfileClass::kAttention && x.attention.seq_len == 32768)
      long_attention = true;
  EXPECT_TRUE(long_attention);
}

TEST(ProfileShapesJson, RoundTrips) {
  const ProfileShapeList l = profile_shapes(testing::headline());
  const nlohmann::json j = to_json(l);
  EXPECT_EQ(j["format"], kShapesFormat);
  const ProfileShapeList back = parse_profile_shapes(j, "shapes.json");
  EXPECT_EQ(to_json(back).dump(), j.dump());
}

std::string error_of(const nlohmann::json& j) {
  try {
    parse_profile_shapes(j, "shapes.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ProfileShapesJson, BadInputNamesFileAndPath) {
  nlohmann::json j = to_json(profile_shapes(testing::headline()));
  nlohmann::json wrong_format = j;
  wrong_format["format"] = "moesim-calibration-1";
  EXPECT_NE(error_of(wrong_format).find("shapes.json: /format: expected \"moesim-shapes-1\""),
            std::string::npos)
      << error_of(wrong_format);
  nlohmann::json bad_class = j;
  bad_class["shapes"][0]["class"] = "conv";
  EXPECT_NE(error_of(bad_class).find("/shapes/0/class"), std::string::npos);
  nlohmann::json bad_m = j;
  for (auto& s : bad_m["shapes"])
    if (s["class"] == "gemm") {
      s["m"] = -1;
      break;
    }
  EXPECT_NE(error_of(bad_m).find("/m: expected a number > 0"), std::string::npos);
  nlohmann::json typo = j;
  typo["shapes"][0]["grups"] = 2;
  EXPECT_NE(error_of(typo).find("/shapes/0/grups"), std::string::npos);
  EXPECT_NE(error_of(nlohmann::json::array()).find("expected a JSON object"), std::string::npos);
}

TEST(ProfileShapesJson, UnreadableFileIsAnInputError) {
  EXPECT_THROW(load_profile_shapes("/nonexistent/shapes.json"), InputError);
}

}  // namespace
}  // namespace moesim
