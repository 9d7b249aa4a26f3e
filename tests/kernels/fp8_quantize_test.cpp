// The FP8 quantization kernels: argument checks (run everywhere) and GPU-vs-CPU
// comparisons (on a GPU). Tolerance: none: codes and scales must equal the reference's
// bit for bit (same IEEE steps, same rounding), dequantized values exactly.
#include "kernels/fp8_quantize.h"

#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>

#include "kernel_test_util.h"
#include "kernels/device_buffer.h"
#include "kernels/fp8_layout.h"
#include "kernels/reference/fp8_quantize_reference.h"

namespace moesim::kernels {
namespace {

using test::TestRng;

TEST(Fp8Quantize, CanImplementNamesWhatIsWrong) {
  alignas(16) static Bf16 x[256];
  alignas(16) static std::uint8_t q[256];
  static float s[4];
  QuantizeActivationsParams p{x, 2, 128, q, s, false};
  EXPECT_TRUE(can_implement(p).ok()) << can_implement(p).reason;
  p.cols = 100;
  EXPECT_NE(can_implement(p).reason.find("cols 100 is not a multiple of 128"), std::string::npos);
  p.cols = 128;
  p.q = q + 1;
  EXPECT_NE(can_implement(p).reason.find("16-byte aligned"), std::string::npos);
  EXPECT_THROW(run(p, nullptr), std::invalid_argument);
  p.q = nullptr;
  EXPECT_FALSE(can_implement(p).ok());

  QuantizeWeightsParams w{x, 2, 128, q, s, false};
  EXPECT_TRUE(can_implement(w).ok());
  w.cols = 2112;  // V3's q_a + kv_a width: fine as rows, not as the contraction dimension
  EXPECT_FALSE(can_implement(w).ok());
  DequantizeParams d{q, s, Fp8Granularity::kTile1x128, 2, 64, nullptr};
  EXPECT_FALSE(can_implement(d).ok());
}

void expect_same_floats(const std::vector<float>& got, const std::vector<float>& want,
                        const char* what) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0)
        << what << "[" << i << "]: " << got[i] << " vs " << want[i];
  }
}

TEST(Fp8Quantize, ActivationsMatchTheReferenceBitForBit) {
  MOESIM_SKIP_WITHOUT_GPU();
  TestRng rng(21);
  const std::int64_t rows = 257, cols = 7168;
  std::vector<Bf16> x = test::random_bf16(static_cast<std::size_t>(rows * cols), rng, 2.0);
  for (std::int64_t c = 0; c < 128; ++c)
    x[static_cast<std::size_t>(cols + c)] = Bf16{};  // a zero tile
  for (bool pow2 : {false, true}) {
    const reference::Fp8Tensor want = reference::quantize_activations(x, rows, cols, pow2);
    DeviceBuffer<Bf16> dx(x);
    DeviceBuffer<std::uint8_t> dq(x.size());
    DeviceBuffer<float> ds(want.scales.size());
    dq.fill_bytes(0xFF);
    ds.fill_bytes(0xFF);
    run(QuantizeActivationsParams{dx.get(), rows, cols, dq.get(), ds.get(), pow2}, nullptr);
    EXPECT_EQ(dq.download(), want.q) << "pow2 " << pow2;
    expect_same_floats(ds.download(), want.scales, "scales");

    DeviceBuffer<float> out(x.size());
    out.fill_bytes(0xFF);
    run(DequantizeParams{dq.get(), ds.get(), Fp8Granularity::kTile1x128, rows, cols, out.get()},
        nullptr);
    expect_same_floats(out.download(), reference::dequantize(want), "dequantized");
  }
}

TEST(Fp8Quantize, WeightsMatchTheReferenceBitForBit) {
  MOESIM_SKIP_WITHOUT_GPU();
  TestRng rng(22);
  // 2112 rows: V3's fused q_a + kv_a projection, a partial last block row. 640 cols: 5 blocks,
  // so the scale rows carry 3 padding entries.
  const std::int64_t rows = 2112, cols = 640;
  const std::vector<Bf16> w = test::random_bf16(static_cast<std::size_t>(rows * cols), rng, 0.02);
  for (bool pow2 : {false, true}) {
    const reference::Fp8Tensor want = reference::quantize_weights(w, rows, cols, pow2);
    DeviceBuffer<Bf16> dw(w);
    DeviceBuffer<std::uint8_t> dq(w.size());
    DeviceBuffer<float> ds(want.scales.size());
    dq.fill_bytes(0xFF);
    ds.fill_bytes(0xFF);
    run(QuantizeWeightsParams{dw.get(), rows, cols, dq.get(), ds.get(), pow2}, nullptr);
    EXPECT_EQ(dq.download(), want.q) << "pow2 " << pow2;
    expect_same_floats(ds.download(), want.scales, "scales");

    DeviceBuffer<float> out(w.size());
    run(DequantizeParams{dq.get(), ds.get(), Fp8Granularity::kBlock128x128, rows, cols, out.get()},
        nullptr);
    expect_same_floats(out.download(), reference::dequantize(want), "dequantized");
  }
}

}  // namespace
}  // namespace moesim::kernels
