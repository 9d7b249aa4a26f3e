// Backward passes of RMSNorm, SwiGLU and RoPE: the CPU references against central finite
// differences of their forwards (run everywhere), argument checks, and the kernels against
// the references (on a GPU).
// Tolerances, GPU vs CPU (BF16 outputs from FP32 arithmetic; references in double):
//   RMSNorm dx:      |gpu - ref| <= 1 BF16 ulp of |ref| + 1e-5 max |ref| of the row
//                    (the two terms of dx cancel where x is parallel to w * dy)
//   RMSNorm dweight: |gpu - ref| <= 1e-5 sum over rows of |dy x r| (FP32 sum of 96 rows)
//   SwiGLU:          |gpu - ref| <= 1 BF16 ulp of |ref| + 1e-5 max |ref| (silu' crosses 0)
//   RoPE:            bit-exact (the same separately rounded FP32 steps on both sides)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "kernel_test_util.h"
#include "kernels/device_buffer.h"
#include "kernels/reference/layer_ops_backward_reference.h"
#include "kernels/reference/layer_ops_reference.h"
#include "kernels/rmsnorm.h"
#include "kernels/rope.h"
#include "kernels/swiglu.h"

namespace moesim::kernels {
namespace {

using test::TestRng;

std::vector<double> normals(std::size_t n, TestRng& rng, double mean = 0.0) {
  std::vector<double> v(n);
  for (auto& x : v) x = mean + rng.normal();
  return v;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// Checks d/dx_i of sum(f(x) * g) by central differences against `analytic`.
void expect_matches_finite_differences(
    std::vector<double> x, const std::vector<double>& g,
    const std::function<std::vector<double>(const std::vector<double>&)>& f,
    const std::vector<double>& analytic, const std::string& what) {
  ASSERT_EQ(x.size(), analytic.size());
  const double step = 1e-6;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double saved = x[i];
    x[i] = saved + step;
    const double up = dot(f(x), g);
    x[i] = saved - step;
    const double down = dot(f(x), g);
    x[i] = saved;
    EXPECT_NEAR(analytic[i], (up - down) / (2 * step), 1e-7) << what << "[" << i << "]";
  }
}

TEST(RmsNormBackwardReference, MatchesFiniteDifferences) {
  TestRng rng(91);
  const std::int64_t rows = 3, dim = 8;
  const auto x = normals(rows * dim, rng), w = normals(dim, rng, 1.0),
             dy = normals(rows * dim, rng);
  for (double eps : {0.0, 1e-6, 0.5}) {
    const auto g = reference::rmsnorm_backward(x, w, dy, rows, dim, eps);
    expect_matches_finite_differences(
        x, dy,
        [&](const std::vector<double>& v) {
          return reference::rmsnorm_forward(v, w, rows, dim, eps);
        },
        g.dx, "dx");
    expect_matches_finite_differences(
        w, dy,
        [&](const std::vector<double>& v) {
          return reference::rmsnorm_forward(x, v, rows, dim, eps);
        },
        g.dweight, "dweight");
  }
  // Scaling x leaves y unchanged (eps = 0), so dx is orthogonal to x in every row.
  const auto g = reference::rmsnorm_backward(x, w, dy, rows, dim, 0.0);
  for (std::int64_t r = 0; r < rows; ++r) {
    double s = 0.0;
    for (std::int64_t i = 0; i < dim; ++i)
      s += g.dx[static_cast<std::size_t>(r * dim + i)] * x[static_cast<std::size_t>(r * dim + i)];
    EXPECT_NEAR(s, 0.0, 1e-12);
  }
  EXPECT_THROW(reference::rmsnorm_backward(x, w, dy, rows, dim + 1, 0.0), std::invalid_argument);
}

TEST(SwigluBackwardReference, MatchesFiniteDifferences) {
  TestRng rng(92);
  const std::int64_t rows = 2, inter = 5;
  auto x = normals(rows * 2 * inter, rng);
  x[0] = 0.0;   // silu'(0) = 1/2
  x[1] = 20.0;  // silu'(20) ~ 1
  const auto dy = normals(rows * inter, rng);
  const auto dx = reference::swiglu_backward(x, dy, rows, inter);
  expect_matches_finite_differences(
      x, dy,
      [&](const std::vector<double>& v) { return reference::swiglu_forward(v, rows, inter); }, dx,
      "dx");
  EXPECT_NEAR(dx[0], dy[0] * x[inter] * 0.5, 1e-15);
  EXPECT_NEAR(dx[inter], 0.0, 1e-15);  // d_up = dy * silu(0) = 0
  EXPECT_THROW(reference::swiglu_backward(x, dy, rows, inter + 1), std::invalid_argument);
}

// RoPE is linear in x, so the finite difference of sum(rope(x) * g) along a unit vector e_i
// is exact: it equals sum(rope(e_i) * g), which the backward's dx_i must match (up to the
// BF16 roundings of both sides: 2^-8 of |g_a| + |g_b| for each of cos and sin).
TEST(RopeBackwardReference, IsTheInverseRotationAndMatchesFiniteDifferences) {
  const RopeTables tables = make_rope_tables(16, 64);
  const RopeShape s{1, 1, 64, 64, 0, 64};
  const std::vector<std::int32_t> pos{11};
  TestRng rng(93);
  const auto g = test::random_bf16(64, rng);
  std::vector<Bf16> dx = g;
  reference::rope_backward(dx, s, pos, tables);
  for (int i = 0; i < 64; ++i) {
    std::vector<Bf16> e(64, to_bf16(0.0f));
    e[static_cast<std::size_t>(i)] = to_bf16(1.0f);
    reference::rope(e, s, pos, tables);
    double fd = 0.0;
    for (int c = 0; c < 64; ++c)
      fd += static_cast<double>(to_float(e[static_cast<std::size_t>(c)])) *
            to_float(g[static_cast<std::size_t>(c)]);
    const int pair = i / 2 * 2;
    const double bound = 0x1p-7 * (std::fabs(to_float(g[static_cast<std::size_t>(pair)])) +
                                   std::fabs(to_float(g[static_cast<std::size_t>(pair + 1)])));
    EXPECT_NEAR(to_float(dx[static_cast<std::size_t>(i)]), fd, bound) << "dx[" << i << "]";
  }
  // Forward then backward gives x back, to BF16 rounding.
  std::vector<Bf16> x = g;
  reference::rope(x, s, pos, tables);
  reference::rope_backward(x, s, pos, tables);
  for (int i = 0; i < 64; ++i) {
    const float want = to_float(g[static_cast<std::size_t>(i)]);
    EXPECT_NEAR(to_float(x[static_cast<std::size_t>(i)]), want, 0x1p-6 * (std::fabs(want) + 1e-3f));
  }
}

TEST(LayerOpsBackward, CanImplementRejectsWhatTheKernelsCannotDo) {
  alignas(16) static Bf16 buf[64], other[64];
  static float f[64];
  EXPECT_TRUE(can_implement(RmsNormBackwardParams{buf, buf, other, buf, f, f, 2, 16, 1e-6f}).ok());
  EXPECT_NE(can_implement(RmsNormBackwardParams{buf, buf, buf, buf, f, f, 2, 16, 1e-6f})
                .reason.find("must not alias"),
            std::string::npos);
  EXPECT_FALSE(
      can_implement(RmsNormBackwardParams{buf, buf, other, buf, f, nullptr, 2, 16, 1e-6f}).ok());
  EXPECT_FALSE(can_implement(RmsNormBackwardParams{buf, buf, other, buf, f, f, 2, 12, 1e-6f}).ok());
  EXPECT_TRUE(can_implement(SwigluBackwardParams{buf, other, buf, 2, 8}).ok());
  EXPECT_FALSE(can_implement(SwigluBackwardParams{buf, other + 1, buf, 2, 8}).ok());
  static std::int32_t pos[1];
  RopeBackwardParams r{buf, RopeShape{1, 1, 64, 64, 0, 64}, pos, f, f, 1};
  EXPECT_TRUE(can_implement(r).ok()) << can_implement(r).reason;
  r.shape.rope_dim = 63;
  EXPECT_NE(can_implement(r).reason.find("rope backward"), std::string::npos);
}

std::vector<double> to_doubles(const std::vector<Bf16>& v) {
  std::vector<double> d(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) d[i] = to_float(v[i]);
  return d;
}

double max_abs(const double* v, std::size_t n) {
  double m = 0.0;
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(v[i]));
  return m;
}

// |got - want| <= 1 BF16 ulp of |want| + floor, per element; reports the first few misses.
void expect_within(const std::vector<Bf16>& got, const std::vector<double>& want,
                   const std::function<double(std::size_t)>& floor, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  int reported = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double bound = test::bf16_ulp(static_cast<float>(std::fabs(want[i]))) + floor(i);
    const double diff = std::fabs(to_float(got[i]) - want[i]);
    if (!(diff <= bound) && reported++ < 5) {
      ADD_FAILURE() << what << "[" << i << "]: " << to_float(got[i]) << " vs " << want[i]
                    << " (bound " << bound << ")";
    }
  }
  EXPECT_EQ(reported, 0) << what;
}

TEST(RmsNormBackward, MatchesTheReference) {
  MOESIM_SKIP_WITHOUT_GPU();
  TestRng rng(94);
  for (std::int64_t dim : {7168, 1536, 512}) {
    const std::int64_t rows = 96;
    const auto x = test::random_bf16(static_cast<std::size_t>(rows * dim), rng, 3.0);
    const auto dy = test::random_bf16(x.size(), rng, 1.0);
    std::vector<Bf16> w(static_cast<std::size_t>(dim));
    for (auto& v : w) v = to_bf16(static_cast<float>(1.0 + 0.1 * rng.normal()));
    const auto want =
        reference::rmsnorm_backward(to_doubles(x), to_doubles(w), to_doubles(dy), rows, dim, 1e-6);
    DeviceBuffer<Bf16> dx_in(x), dw_in(w), ddy(dy), dx(x.size());
    DeviceBuffer<float> dweight(static_cast<std::size_t>(dim)),
        inv_rms(static_cast<std::size_t>(rows));
    dx.fill_bytes(0xFF);
    dweight.fill_bytes(0xFF);
    run(RmsNormBackwardParams{dx_in.get(), dw_in.get(), ddy.get(), dx.get(), dweight.get(),
                              inv_rms.get(), rows, dim, 1e-6f},
        nullptr);
    const std::string what = "dim " + std::to_string(dim);
    expect_within(
        dx.download(), want.dx,
        [&](std::size_t i) {
          const std::size_t row = i / static_cast<std::size_t>(dim);
          return 1e-5 * max_abs(want.dx.data() + row * static_cast<std::size_t>(dim),
                                static_cast<std::size_t>(dim));
        },
        "dx " + what);
    // dweight's scale: sum over rows of |dy x r|.
    const auto xd = to_doubles(x), dyd = to_doubles(dy);
    std::vector<double> inv_r(static_cast<std::size_t>(rows));
    for (std::int64_t r = 0; r < rows; ++r) {
      double sq = 0.0;
      for (std::int64_t i = 0; i < dim; ++i)
        sq += xd[static_cast<std::size_t>(r * dim + i)] * xd[static_cast<std::size_t>(r * dim + i)];
      inv_r[static_cast<std::size_t>(r)] = 1.0 / std::sqrt(sq / static_cast<double>(dim) + 1e-6);
    }
    const auto got = dweight.download();
    for (std::int64_t c = 0; c < dim; ++c) {
      double magnitude = 0.0;
      for (std::int64_t r = 0; r < rows; ++r) {
        const auto i = static_cast<std::size_t>(r * dim + c);
        magnitude += std::fabs(dyd[i] * xd[i]) * inv_r[static_cast<std::size_t>(r)];
      }
      ASSERT_NEAR(got[static_cast<std::size_t>(c)], want.dweight[static_cast<std::size_t>(c)],
                  1e-5 * magnitude)
          << "dweight[" << c << "] " << what;
    }
  }
}

TEST(SwigluBackward, MatchesTheReference) {
  MOESIM_SKIP_WITHOUT_GPU();
  TestRng rng(95);
  const std::int64_t rows = 200, inter = 2048;
  const auto x = test::random_bf16(static_cast<std::size_t>(rows * 2 * inter), rng, 3.0);
  const auto dy = test::random_bf16(static_cast<std::size_t>(rows * inter), rng, 1.0);
  const auto want = reference::swiglu_backward(to_doubles(x), to_doubles(dy), rows, inter);
  DeviceBuffer<Bf16> dx_in(x), ddy(dy), dx(x.size());
  dx.fill_bytes(0xFF);
  run(SwigluBackwardParams{dx_in.get(), ddy.get(), dx.get(), rows, inter}, nullptr);
  const double floor = 1e-5 * max_abs(want.data(), want.size());
  expect_within(
      dx.download(), want, [&](std::size_t) { return floor; }, "swiglu dx");
}

TEST(RopeBackward, MatchesTheReferenceBitForBit) {
  MOESIM_SKIP_WITHOUT_GPU();
  TestRng rng(96);
  const RopeTables tables = make_rope_tables(4096, 64);
  DeviceBuffer<float> dcos(tables.cos), dsin(tables.sin);
  const std::int64_t tokens = 48;
  std::vector<std::int32_t> positions(static_cast<std::size_t>(tokens));
  for (auto& p : positions) p = rng.below(4096);
  DeviceBuffer<std::int32_t> dpos(positions);
  for (const RopeShape& s :
       {RopeShape{tokens, 128, 128 * 192, 192, 128, 64}, RopeShape{tokens, 1, 576, 0, 512, 64}}) {
    const auto g = test::random_bf16(static_cast<std::size_t>(tokens * s.token_stride), rng);
    std::vector<Bf16> want = g;
    reference::rope_backward(want, s, positions, tables);
    DeviceBuffer<Bf16> dg(g);
    run(RopeBackwardParams{dg.get(), s, dpos.get(), dcos.get(), dsin.get(), tables.max_positions},
        nullptr);
    EXPECT_EQ(dg.download(), want) << "heads " << s.heads;
  }
}

}  // namespace
}  // namespace moesim::kernels
