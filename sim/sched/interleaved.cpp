// Interleaved 1F1B (Narayanan et al., "Efficient Large-Scale Language Model
// Training on GPU Clusters Using Megatron-LM", SC'21, §2.2.2): each of the pp
// ranks holds v model chunks, rank r chunk c being stage c pp + r of pp v.
// Forward k (0 <= k < N v) on a rank runs micro-batch (k / (pp v)) pp + k % pp
// through its chunk (k % (pp v)) / pp; backward k walks the chunks in reverse.
// With per-chunk costs F and B the bubble is (pp-1)(F + B) chunk-times, that is
// (pp-1)(F + B)/v in units of a whole rank's stage.
#include <algorithm>

#include "sim/sched/detail/generators.h"

namespace moesim::detail {

namespace {

constexpr int kWarmUp = 1;
constexpr int kSteady = 2;
constexpr int kCoolDown = 3;

}  // namespace

Schedule make_interleaved_1f1b(int pp, int n, int v, bool pairs) {
  Schedule s;
  s.kind = ScheduleKind::kInterleaved1F1B;
  s.ranks = pp;
  s.stages = pp * v;
  s.micro_batches = n;
  s.virtual_stages = v;
  s.per_rank.resize(pp);
  const int total = n * v;   // chunk passes per rank, each way
  const int group = pp * v;  // passes before a micro-batch group repeats
  auto micro_batch = [&](int k) { return (k / group) * pp + k % pp; };
  auto chunk = [&](int k, bool forward) {
    const int c = (k % group) / pp;
    return forward ? c : v - 1 - c;
  };
  for (int r = 0; r < pp; ++r) {
    std::vector<int> held;
    for (int c = 0; c < v; ++c) held.push_back(c * pp + r);
    s.rank_stages.push_back(held);

    auto f = [&](int k, int step) {
      return Instruction::forward({micro_batch(k), chunk(k, true) * pp + r}, step);
    };
    auto b = [&](int k, int step) {
      return Instruction::backward_full({micro_batch(k), chunk(k, false) * pp + r}, step);
    };
    std::vector<Instruction>& list = s.per_rank[r];
    // Paired (EP all-to-all overlap), one more warm-up forward, as
    // Megatron-Core's get_pp_rank_microbatches adds.
    const int w = std::min(2 * (pp - r - 1) + (v - 1) * pp + (pairs ? 1 : 0), total);
    for (int k = 0; k < w; ++k) list.push_back(f(k, kWarmUp));
    for (int k = 0; k + w < total; ++k) {
      if (pairs) {
        const Instruction fwd = f(k + w, kSteady), bwd = b(k, kSteady);
        list.push_back(Instruction::forward_backward(fwd.chunk, bwd.chunk, kSteady));
        continue;
      }
      list.push_back(f(k + w, kSteady));
      list.push_back(b(k, kSteady));
    }
    for (int k = total - w; k < total; ++k) list.push_back(b(k, kCoolDown));
  }
  return s;
}

}  // namespace moesim::detail
