// Token permutation by expert and the weighted un-permutation: hand-checked routing maps
// (CPU reference), a permute/unpermute round trip, and the kernels against the references.
// Tolerance, GPU vs CPU: none; both take the same FP32 steps in the same order.
#include "kernels/moe_permute.h"

#include <gtest/gtest.h>

#include "kernel_test_util.h"
#include "kernels/device_buffer.h"
#include "kernels/reference/moe_reference.h"

namespace moesim::kernels {
namespace {

using test::TestRng;
using Ints = std::vector<std::int32_t>;

// 3 tokens, top-2, 4 experts: slots 0..5 go to experts 2, 0, 2, 3, 0, 2.
const Ints kIndices{2, 0, 2, 3, 0, 2};

TEST(RoutingMapReference, SortsSlotsByExpertStably) {
  const auto m = reference::routing_map(kIndices, 3, 2, 4, 1);
  EXPECT_EQ(m.counts, (Ints{2, 0, 3, 1}));
  EXPECT_EQ(m.offsets, (Ints{0, 2, 2, 5, 6}));
  EXPECT_EQ(m.row_slots, (Ints{1, 4, 0, 2, 5, 3}));
  EXPECT_EQ(m.slot_rows, (Ints{2, 0, 3, 5, 1, 4}));
}

TEST(RoutingMapReference, PadsSegmentsAndDropsOtherRanksExperts) {
  const auto m = reference::routing_map(kIndices, 3, 2, 4, 4);
  EXPECT_EQ(m.offsets, (Ints{0, 4, 4, 8, 12}));
  EXPECT_EQ(m.row_slots, (Ints{1, 4, -1, -1, 0, 2, 5, -1, 3, -1, -1, -1}));
  EXPECT_EQ(m.slot_rows, (Ints{4, 0, 5, 8, 1, 6}));
  const auto d = reference::routing_map(Ints{2, -1, 7, 3, 0, 2}, 3, 2, 4, 1);
  EXPECT_EQ(d.counts, (Ints{1, 0, 2, 1}));
  EXPECT_EQ(d.slot_rows, (Ints{1, -1, -1, 3, 0, 2}));
}

TEST(PermuteReference, RoundTripsThroughIdentityExperts) {
  TestRng rng(51);
  const std::int64_t hidden = 16;
  const auto x = test::random_bf16(3 * hidden, rng);
  const auto m = reference::routing_map(kIndices, 3, 2, 4, 4);
  const auto permuted = reference::permute(x, hidden, 2, m.row_slots);
  ASSERT_EQ(permuted.size(), 12u * hidden);
  EXPECT_EQ(permuted[4 * hidden + 3], x[3]);               // row 4 holds slot 0: token 0
  EXPECT_EQ(permuted[1 * hidden + 5], x[2 * hidden + 5]);  // row 1 holds slot 4: token 2
  EXPECT_EQ(to_float(permuted[2 * hidden]), 0.0f);         // padding
  // Weights 0.25 and 0.75 of the same row add up exactly.
  const std::vector<float> w{0.25f, 0.75f, 0.25f, 0.75f, 0.25f, 0.75f};
  EXPECT_EQ(reference::unpermute(permuted, hidden, m.slot_rows, w, 3, 2), x);
}

TEST(Permute, CanImplementChecksCapacityAndAlignment) {
  static std::int32_t i[64];
  RoutingMapParams p{i, 4, 8, 256, 128, i, i, i, i, 0};
  EXPECT_EQ(permuted_row_capacity(4, 8, 256, 128), 4 * 8 + 256 * 127);
  EXPECT_NE(can_implement(p).reason.find("below the worst case"), std::string::npos);
  p.row_capacity = permuted_row_capacity(4, 8, 256, 128);
  EXPECT_TRUE(can_implement(p).ok());
  alignas(16) static Bf16 b[64];
  EXPECT_TRUE(can_implement(PermuteParams{b, 16, 2, i, 2, b}).ok());
  EXPECT_FALSE(can_implement(PermuteParams{b, 12, 2, i, 2, b}).ok());
  EXPECT_FALSE(can_implement(UnpermuteParams{b + 1, 16, i, nullptr, 1, 2, b}).ok());
}

TEST(Permute, MatchesTheReferencesBitForBit) {
  MOESIM_SKIP_WITHOUT_GPU();
  TestRng rng(52);
  const std::int64_t tokens = 1000, hidden = 7168;
  const int topk = 8, experts = 256;
  Ints indices(static_cast<std::size_t>(tokens * topk));
  for (auto& e : indices) e = rng.below(10) == 0 ? -1 : rng.below(experts);  // 10% remote
  std::vector<float> weights = test::random_floats(indices.size(), rng, 0.0, 0.5);
  const auto x = test::random_bf16(static_cast<std::size_t>(tokens * hidden), rng);
  DeviceBuffer<std::int32_t> di(indices);
  DeviceBuffer<float> dw(weights);
  DeviceBuffer<Bf16> dx(x);
  for (int alignment : {1, 128}) {
    const auto want = reference::routing_map(indices, tokens, topk, experts, alignment);
    const std::int64_t capacity = permuted_row_capacity(tokens, topk, experts, alignment);
    DeviceBuffer<std::int32_t> counts(experts), offsets(experts + 1), slot_rows(indices.size()),
        row_slots(static_cast<std::size_t>(capacity));
    run(RoutingMapParams{di.get(), tokens, topk, experts, alignment, counts.get(), offsets.get(),
                         slot_rows.get(), row_slots.get(), capacity},
        nullptr);
    EXPECT_EQ(counts.download(), want.counts);
    EXPECT_EQ(offsets.download(), want.offsets);
    EXPECT_EQ(slot_rows.download(), want.slot_rows);
    Ints rows = row_slots.download();
    EXPECT_TRUE(
        std::all_of(rows.begin() + want.offsets.back(), rows.end(), [](int r) { return r == -1; }));
    rows.resize(want.row_slots.size());
    EXPECT_EQ(rows, want.row_slots) << "alignment " << alignment;

    const std::int64_t used = want.offsets.back();
    DeviceBuffer<Bf16> permuted(static_cast<std::size_t>(used * hidden));
    permuted.fill_bytes(0xFF);
    run(PermuteParams{dx.get(), hidden, topk, row_slots.get(), used, permuted.get()}, nullptr);
    const auto want_permuted = reference::permute(x, hidden, topk, want.row_slots);
    EXPECT_EQ(permuted.download(), want_permuted);

    DeviceBuffer<Bf16> y(x.size());
    y.fill_bytes(0xFF);
    run(UnpermuteParams{permuted.get(), hidden, slot_rows.get(), dw.get(), tokens, topk, y.get()},
        nullptr);
    EXPECT_EQ(y.download(),
              reference::unpermute(want_permuted, hidden, want.slot_rows, weights, tokens, topk));
  }
}

}  // namespace
}  // namespace moesim::kernels
