// The MoE gate: hand-checked cases of the CPU reference (group limit, ties, bias used for
// selection only), properties at V3's shape, and the kernel against the reference.
// Tolerance, GPU vs CPU: chosen experts equal, except where the reference's own decision
// margin is below 1e-5 (CUDA's expf and std::exp differ by a few float ulps, so a
// near-tie may break either way); weights within 1e-5 relative.
#include "kernels/moe_gate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "kernel_test_util.h"
#include "kernels/device_buffer.h"
#include "kernels/reference/moe_reference.h"

namespace moesim::kernels {
namespace {

using test::TestRng;

// 16 experts in 4 groups of 4; keep 2 groups; top-4.
const MoeGateConfig kSmall{16, 4, 2, 4, 2.5f};

// Group 0 holds the second-best expert (e0) but a weak partner; groups 1 and 2 have two
// good experts each and win on their top-2 sums; e4 and e5 tie.
std::vector<float> group_limit_logits() {
  std::vector<float> l(16, -4.0f);
  l[0] = 4.0f;               // group 0: 0.982 + 0.018 = 1.000
  l[4] = l[5] = 1.0f;        // group 1: 0.731 + 0.731 = 1.462
  l[8] = 2.0f, l[9] = 0.5f;  // group 2: 0.881 + 0.622 = 1.503
  l[12] = 3.0f;              // group 3: 0.953 + 0.018 = 0.971
  return l;
}

TEST(MoeGateReference, KeepsTheGroupsWithTheBestTopTwoSums) {
  const auto r = reference::moe_gate(group_limit_logits(), std::vector<float>(16, 0.0f), 1, kSmall);
  EXPECT_EQ(r.indices, (std::vector<std::int32_t>{8, 4, 5, 9}));  // e4 before e5: tie
  const float s8 = reference::gate_affinity(2.0f), s4 = reference::gate_affinity(1.0f),
              s9 = reference::gate_affinity(0.5f);
  const float total = s8 + s4 + s4 + s9;
  EXPECT_FLOAT_EQ(r.weights[0], s8 / total * 2.5f);
  EXPECT_FLOAT_EQ(r.weights[1], s4 / total * 2.5f);
  EXPECT_FLOAT_EQ(r.weights[3], s9 / total * 2.5f);
  EXPECT_NEAR(r.weights[0] + r.weights[1] + r.weights[2] + r.weights[3], 2.5f, 1e-6f);

  // Without the group limit the best experts win wherever they are.
  MoeGateConfig all_groups = kSmall;
  all_groups.topk_groups = 4;
  const auto a =
      reference::moe_gate(group_limit_logits(), std::vector<float>(16, 0.0f), 1, all_groups);
  EXPECT_EQ(a.indices, (std::vector<std::int32_t>{0, 12, 8, 4}));
}

TEST(MoeGateReference, BreaksTiesTowardsLowerIndices) {
  // Everything ties: groups 0 and 1 are kept, experts 0..3 chosen, equal weights.
  const auto r =
      reference::moe_gate(std::vector<float>(16, 0.0f), std::vector<float>(16, 0.0f), 1, kSmall);
  EXPECT_EQ(r.indices, (std::vector<std::int32_t>{0, 1, 2, 3}));
  for (float w : r.weights) EXPECT_FLOAT_EQ(w, 0.625f);
}

TEST(MoeGateReference, UsesTheBiasToChooseButNotToWeight) {
  std::vector<float> bias(16, 0.0f);
  bias[15] = 0.3f;  // group 3: 0.8 + 0.7 = 1.5
  bias[14] = 0.2f;
  bias[5] = 0.1f;  // group 1: 0.6 + 0.5 = 1.1; groups 0 and 2: 1.0
  const auto r = reference::moe_gate(std::vector<float>(16, 0.0f), bias, 1, kSmall);
  EXPECT_EQ(r.indices,
            (std::vector<std::int32_t>{15, 14, 5, 4}));  // e4 wins the 0.5 tie in group 1
  for (float w : r.weights) EXPECT_FLOAT_EQ(w, 0.625f);  // affinities are all 0.5
}

TEST(MoeGateReference, ChoosesWithinFourGroupsAtV3Shape) {
  const MoeGateConfig v3;
  TestRng rng(41);
  const std::int64_t tokens = 256;
  const auto logits = test::random_floats(static_cast<std::size_t>(tokens * 256), rng, -3, 3);
  const auto bias = test::random_floats(256, rng, -0.05, 0.05);
  const auto r = reference::moe_gate(logits, bias, tokens, v3);
  for (std::int64_t t = 0; t < tokens; ++t) {
    std::set<int> experts, groups;
    float sum = 0.0f, lowest_chosen = INFINITY;
    for (int j = 0; j < 8; ++j) {
      const int e = r.indices[static_cast<std::size_t>(t * 8 + j)];
      experts.insert(e);
      groups.insert(e / 32);
      sum += r.weights[static_cast<std::size_t>(t * 8 + j)];
      lowest_chosen = std::min(
          lowest_chosen,
          reference::gate_affinity(logits[static_cast<std::size_t>(t * 256 + e)]) + bias[e]);
    }
    EXPECT_EQ(experts.size(), 8u);
    EXPECT_LE(groups.size(), 4u);
    EXPECT_NEAR(sum, 2.5f, 1e-5f);
    // No unchosen expert of a chosen group beats the weakest chosen one.
    for (int g : groups) {
      for (int e = g * 32; e < (g + 1) * 32; ++e) {
        if (experts.count(e)) continue;
        EXPECT_LE(reference::gate_affinity(logits[static_cast<std::size_t>(t * 256 + e)]) + bias[e],
                  lowest_chosen);
      }
    }
  }
}

TEST(MoeGate, ConfigChecksNameTheProblem) {
  MoeGateConfig c;
  EXPECT_TRUE(check_gate_config(c).ok());
  c.num_groups = 7;
  EXPECT_NE(check_gate_config(c).reason.find("do not split into 7"), std::string::npos);
  c = MoeGateConfig{};
  c.topk = 129;
  EXPECT_FALSE(check_gate_config(c).ok());
  c = MoeGateConfig{};
  c.topk_groups = 9;
  EXPECT_FALSE(check_gate_config(c).ok());
  EXPECT_THROW(reference::moe_gate({}, {}, 0, MoeGateConfig{8, 8, 1, 1, 1.0f}),
               std::invalid_argument);
  static float f[1];
  static std::int32_t i[1];
  EXPECT_FALSE(
      can_implement(MoeGateParams{f, f, 1, MoeGateConfig{2048, 8, 4, 8, 2.5f}, i, f}).ok());
  EXPECT_TRUE(can_implement(MoeGateParams{f, f, 1, MoeGateConfig{}, i, f}).ok());
}

// Runs the kernel; returns (indices, weights).
reference::GateResult run_gate(const std::vector<float>& logits, const std::vector<float>& bias,
                               std::int64_t tokens, const MoeGateConfig& c) {
  DeviceBuffer<float> dl(logits), db(bias), dw(static_cast<std::size_t>(tokens * c.topk));
  DeviceBuffer<std::int32_t> di(static_cast<std::size_t>(tokens * c.topk));
  di.fill_bytes(0xFF);
  dw.fill_bytes(0xFF);
  run(MoeGateParams{dl.get(), db.get(), tokens, c, di.get(), dw.get()}, nullptr);
  return {di.download(), dw.download()};
}

TEST(MoeGate, MatchesTheReferenceOnTiesAndTheGroupLimit) {
  MOESIM_SKIP_WITHOUT_GPU();
  std::vector<float> bias(16, 0.0f);
  bias[15] = 0.3f, bias[14] = 0.2f, bias[5] = 0.1f;
  const std::vector<std::pair<std::vector<float>, std::vector<float>>> cases = {
      {group_limit_logits(), std::vector<float>(16, 0.0f)},
      {std::vector<float>(16, 0.0f), std::vector<float>(16, 0.0f)},
      {std::vector<float>(16, 0.0f), bias}};
  for (const auto& [logits, b] : cases) {
    const auto want = reference::moe_gate(logits, b, 1, kSmall);
    const auto got = run_gate(logits, b, 1, kSmall);
    EXPECT_EQ(got.indices, want.indices);
    for (std::size_t j = 0; j < want.weights.size(); ++j) {
      EXPECT_NEAR(got.weights[j], want.weights[j], 1e-5f * want.weights[j]);
    }
  }
}

TEST(MoeGate, MatchesTheReferenceAtV3Shape) {
  MOESIM_SKIP_WITHOUT_GPU();
  const MoeGateConfig c;
  TestRng rng(42);
  const std::int64_t tokens = 4096;
  // Logits on a 1/64 grid: many exact ties (which must break identically) and otherwise
  // gaps far above expf's error.
  std::vector<float> logits(static_cast<std::size_t>(tokens * 256));
  for (auto& l : logits) l = static_cast<float>(rng.below(385) - 192) / 64.0f;
  const auto bias = test::random_floats(256, rng, -0.02, 0.02);
  const auto want = reference::moe_gate(logits, bias, tokens, c);
  const auto got = run_gate(logits, bias, tokens, c);
  int differing = 0;
  for (std::int64_t t = 0; t < tokens; ++t) {
    bool same = true;
    for (int j = 0; j < 8; ++j) {
      const auto k = static_cast<std::size_t>(t * 8 + j);
      same = same && got.indices[k] == want.indices[k];
    }
    if (!same) {
      ++differing;
      // Acceptable only as a near-tie: each GPU choice scores within 1e-5 of the
      // reference's weakest choice.
      float weakest = INFINITY;
      for (int j = 0; j < 8; ++j) {
        const int e = want.indices[static_cast<std::size_t>(t * 8 + j)];
        weakest = std::min(
            weakest,
            reference::gate_affinity(logits[static_cast<std::size_t>(t * 256 + e)]) + bias[e]);
      }
      for (int j = 0; j < 8; ++j) {
        const int e = got.indices[static_cast<std::size_t>(t * 8 + j)];
        ASSERT_TRUE(e >= 0 && e < 256) << "token " << t;
        EXPECT_GE(reference::gate_affinity(logits[static_cast<std::size_t>(t * 256 + e)]) + bias[e],
                  weakest - 1e-5f)
            << "token " << t;
      }
      continue;
    }
    for (int j = 0; j < 8; ++j) {
      const auto k = static_cast<std::size_t>(t * 8 + j);
      EXPECT_NEAR(got.weights[k], want.weights[k], 1e-5f * want.weights[k]) << "token " << t;
    }
  }
  EXPECT_LE(differing, tokens / 100) << "near-ties should be rare";
}

}  // namespace
}  // namespace moesim::kernels
