// MLA attention core: the double-precision reference on hand-computable cases and against
// finite differences of itself, argument checks (run everywhere), and the tiled kernels
// against the reference (on a GPU).
// Tolerances, GPU vs CPU, per tensor with A = max |reference| over that tensor:
//   O:          |gpu - ref| <= 2 BF16 ulps of A (one rounding to BF16, FP32 arithmetic)
//   LSE:        |gpu - ref| <= 1e-4 (FP32 sums of 192 products and of the row's exps)
//   dQ, dK, dV: |gpu - ref| <= 4 BF16 ulps of A (FP32 accumulation over up to 256 keys or
//               queries, one rounding to BF16), and relative Frobenius error <= 1e-2.
// The reference backward reads the kernel's BF16 O (as the kernel does), so both use the
// same delta = rowsum(dO * O).
#include "kernels/mla_attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/device_buffer.h"
#include "kernels/reference/mla_attention_reference.h"

namespace moesim::kernels {
namespace {

using test::TestRng;

std::vector<double> normals(std::size_t n, TestRng& rng) {
  std::vector<double> v(n);
  for (auto& x : v) x = rng.normal();
  return v;
}

MlaAttentionShape tiny(std::int64_t seq, std::int64_t heads, int qk, int vd, bool causal,
                       float scale) {
  return MlaAttentionShape{1, seq, heads, qk, vd, causal, scale};
}

TEST(MlaAttentionReference, EqualKeysAverageTheValuesTheRowSees) {
  // All keys equal: every allowed key gets the same probability.
  TestRng rng(81);
  for (bool causal : {true, false}) {
    const auto s = tiny(5, 2, 3, 2, causal, 0.5f);
    const auto q = normals(5 * 2 * 3, rng);
    std::vector<double> k(5 * 2 * 3);
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = 0.25 * static_cast<double>(i % 3);
    const auto v = normals(5 * 2 * 2, rng);
    const auto f = reference::mla_attention_forward(q, k, v, s);
    for (int h = 0; h < 2; ++h) {
      for (int i = 0; i < 5; ++i) {
        const int n = causal ? i + 1 : 5;
        for (int c = 0; c < 2; ++c) {
          double mean = 0.0;
          for (int j = 0; j < n; ++j) mean += v[static_cast<std::size_t>((j * 2 + h) * 2 + c)];
          EXPECT_NEAR(f.o[static_cast<std::size_t>((i * 2 + h) * 2 + c)], mean / n, 1e-12);
        }
        double dot = 0.0;
        for (int c = 0; c < 3; ++c)
          dot += q[static_cast<std::size_t>((i * 2 + h) * 3 + c)] * 0.25 * c;
        EXPECT_NEAR(f.lse[static_cast<std::size_t>(h * 5 + i)], std::log(n) + 0.5 * dot, 1e-12);
      }
    }
  }
}

TEST(MlaAttentionReference, CausalFirstRowIsTheFirstValue) {
  TestRng rng(82);
  const auto s = tiny(4, 3, 4, 3, true, 0.3f);
  const auto q = normals(4 * 3 * 4, rng), k = normals(4 * 3 * 4, rng), v = normals(4 * 3 * 3, rng);
  const auto f = reference::mla_attention_forward(q, k, v, s);
  for (int i = 0; i < 3 * 3; ++i)
    EXPECT_DOUBLE_EQ(f.o[static_cast<std::size_t>(i)], v[static_cast<std::size_t>(i)]);
}

TEST(MlaAttentionReference, TwoKeysWeighByExpOfTheirScores) {
  // One head, dim 1, scale 1: row 1 scores 0 and ln 3 -> probabilities 1/4 and 3/4.
  const auto s = tiny(2, 1, 1, 1, true, 1.0f);
  const auto f = reference::mla_attention_forward({1.0, 1.0}, {0.0, std::log(3.0)}, {4.0, 8.0}, s);
  EXPECT_DOUBLE_EQ(f.o[1], 7.0);
  EXPECT_NEAR(f.lse[1], std::log(4.0), 1e-15);
  EXPECT_THROW(reference::mla_attention_forward({1.0}, {0.0, 1.0}, {4.0, 8.0}, s),
               std::invalid_argument);
}

// d/dx of L = sum(O * G) by central differences, against the reference backward.
TEST(MlaAttentionReference, BackwardMatchesFiniteDifferences) {
  TestRng rng(83);
  for (bool causal : {true, false}) {
    const MlaAttentionShape s{2, 5, 2, 3, 2, causal, 0.7f};
    const std::size_t nq = 2 * 5 * 2 * 3, nv = 2 * 5 * 2 * 2;
    auto q = normals(nq, rng), k = normals(nq, rng), v = normals(nv, rng);
    const auto g = normals(nv, rng);
    const auto loss = [&]() {
      const auto o = reference::mla_attention_forward(q, k, v, s).o;
      double l = 0.0;
      for (std::size_t i = 0; i < o.size(); ++i) l += o[i] * g[i];
      return l;
    };
    const auto o = reference::mla_attention_forward(q, k, v, s).o;
    const auto grad = reference::mla_attention_backward(q, k, v, o, g, s);
    const double step = 1e-6;
    const auto check = [&](std::vector<double>& x, const std::vector<double>& analytic,
                           const char* name) {
      for (std::size_t i = 0; i < x.size(); ++i) {
        const double saved = x[i];
        x[i] = saved + step;
        const double up = loss();
        x[i] = saved - step;
        const double down = loss();
        x[i] = saved;
        EXPECT_NEAR(analytic[i], (up - down) / (2 * step), 1e-7)
            << name << "[" << i << "] causal " << causal;
      }
    };
    check(q, grad.dq, "dq");
    check(k, grad.dk, "dk");
    check(v, grad.dv, "dv");
  }
}

TEST(MlaAttention, CanImplementTakesV3ShapesOnly) {
  alignas(16) static Bf16 buf[8];
  static float stat[8];
  const MlaAttentionShape v3{1, 4096, 128, 192, 128, true, 0.0721687836f};  // 192^-0.5
  MlaAttentionForwardParams f{buf, buf, buf, buf, stat, v3};
  EXPECT_TRUE(can_implement(f).ok()) << can_implement(f).reason;
  f.shape.qk_head_dim = 128;
  EXPECT_NE(can_implement(f).reason.find("built for V3's 192"), std::string::npos);
  f.shape = v3;
  f.shape.seq = 100;
  EXPECT_NE(can_implement(f).reason.find("multiple of the 32-row tile"), std::string::npos);
  f.shape = v3;
  f.shape.softmax_scale = 0.0f;
  EXPECT_NE(can_implement(f).reason.find("softmax_scale"), std::string::npos);
  f.shape = v3;
  f.lse = nullptr;
  EXPECT_FALSE(can_implement(f).ok());
  MlaAttentionBackwardParams b{buf, buf, buf, buf, buf, stat, stat, buf, buf, buf, v3};
  EXPECT_TRUE(can_implement(b).ok()) << can_implement(b).reason;
  b.delta = nullptr;
  EXPECT_FALSE(can_implement(b).ok());
  EXPECT_EQ(mla_attention_delta_floats(v3), 128 * 4096);
}

std::vector<double> to_doubles(const std::vector<Bf16>& v) {
  std::vector<double> d(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) d[i] = to_float(v[i]);
  return d;
}

double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// Per-tensor bound of `ulps` BF16 ulps of max |want|, and the relative Frobenius error.
void expect_close(const std::vector<Bf16>& got, const std::vector<double>& want, double ulps,
                  double frobenius, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  const double bound = ulps * test::bf16_ulp(static_cast<float>(max_abs(want)));
  double err = 0.0, norm = 0.0;
  int reported = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double diff = std::fabs(to_float(got[i]) - want[i]);
    if (!(diff <= bound) && reported++ < 5) {
      ADD_FAILURE() << what << "[" << i << "]: " << to_float(got[i]) << " vs " << want[i]
                    << " (bound " << bound << ")";
    }
    err += diff * diff;
    norm += want[i] * want[i];
  }
  EXPECT_EQ(reported, 0) << what;
  EXPECT_LE(std::sqrt(err / std::max(norm, 1e-300)), frobenius) << what;
}

TEST(MlaAttention, ForwardAndBackwardMatchTheReference) {
  MOESIM_SKIP_WITHOUT_GPU();
  TestRng rng(84);
  const float scale = 1.0f / std::sqrt(192.0f);
  for (const MlaAttentionShape& s : {MlaAttentionShape{1, 64, 2, 192, 128, true, scale},
                                     MlaAttentionShape{2, 128, 3, 192, 128, true, scale},
                                     MlaAttentionShape{1, 96, 4, 192, 128, false, scale},
                                     MlaAttentionShape{1, 256, 2, 192, 128, true, 2 * scale}}) {
    const std::string what = "batch " + std::to_string(s.batch) + " seq " + std::to_string(s.seq) +
                             " heads " + std::to_string(s.heads) + (s.causal ? " causal" : " full");
    const std::size_t tokens = static_cast<std::size_t>(s.batch * s.seq * s.heads);
    const auto q = test::random_bf16(tokens * 192, rng), k = test::random_bf16(tokens * 192, rng);
    const auto v = test::random_bf16(tokens * 128, rng), d_o = test::random_bf16(tokens * 128, rng);
    DeviceBuffer<Bf16> dq_in(q), dk_in(k), dv_in(v), ddo(d_o), o(tokens * 128);
    DeviceBuffer<float> lse(static_cast<std::size_t>(mla_attention_delta_floats(s))),
        delta(lse.size());
    o.fill_bytes(0xFF);
    lse.fill_bytes(0xFF);
    run(MlaAttentionForwardParams{dq_in.get(), dk_in.get(), dv_in.get(), o.get(), lse.get(), s},
        nullptr);
    const auto want =
        reference::mla_attention_forward(to_doubles(q), to_doubles(k), to_doubles(v), s);
    const auto got_o = o.download();
    expect_close(got_o, want.o, 2.0, 1e-2, "O " + what);
    const auto got_lse = lse.download();
    for (std::size_t i = 0; i < got_lse.size(); ++i) {
      ASSERT_NEAR(got_lse[i], want.lse[i], 1e-4) << "LSE[" << i << "] " << what;
    }

    DeviceBuffer<Bf16> dq(q.size()), dk(k.size()), dv(v.size());
    dq.fill_bytes(0xFF);
    dk.fill_bytes(0xFF);
    dv.fill_bytes(0xFF);
    run(MlaAttentionBackwardParams{dq_in.get(), dk_in.get(), dv_in.get(), o.get(), ddo.get(),
                                   lse.get(), delta.get(), dq.get(), dk.get(), dv.get(), s},
        nullptr);
    const auto grad = reference::mla_attention_backward(to_doubles(q), to_doubles(k), to_doubles(v),
                                                        to_doubles(got_o), to_doubles(d_o), s);
    expect_close(dq.download(), grad.dq, 4.0, 1e-2, "dQ " + what);
    expect_close(dk.download(), grad.dk, 4.0, 1e-2, "dK " + what);
    expect_close(dv.download(), grad.dv, 4.0, 1e-2, "dV " + what);
  }
}

}  // namespace
}  // namespace moesim::kernels
