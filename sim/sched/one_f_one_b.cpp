// 1F1B (PipeDream-flush) and its zero-bubble variant ZB1P (ZB-H1 of Qi et al.,
// "Zero Bubble Pipeline Parallelism", 2023). Both keep pp-r in-flight forwards
// on rank r; ZB1P only splits each backward and moves the weight-gradient half.
#include <algorithm>

#include "sim/sched/detail/generators.h"

namespace moesim::detail {

namespace {

// Step numbers (Instruction::step) of the 1F1B family.
constexpr int kWarmUp = 1;
constexpr int kSteady = 2;
constexpr int kCoolDown = 3;
constexpr int kTrailingW = 4;

Schedule one_stage_per_rank(ScheduleKind kind, int pp, int n) {
  Schedule s;
  s.kind = kind;
  s.ranks = pp;
  s.stages = pp;
  s.micro_batches = n;
  s.per_rank.resize(pp);
  for (int r = 0; r < pp; ++r) s.rank_stages.push_back({r});
  return s;
}

// Forwards rank r runs before its first backward.
int warm_up(int pp, int r, int n) { return std::min(pp - r - 1, n); }

}  // namespace

Schedule make_1f1b(int pp, int n, bool pairs) {
  Schedule s = one_stage_per_rank(ScheduleKind::k1F1B, pp, n);
  for (int r = 0; r < pp; ++r) {
    std::vector<Instruction>& list = s.per_rank[r];
    // Paired, the warm-up of interleaved 1F1B with one chunk per rank and
    // one more forward (Megatron-Core's combined 1F1B): the extra forward
    // keeps a pair's two chunks independent (on the last rank the forward
    // would be the backward's own), and 2(pp-r-1) rather than pp-r-1 lets
    // a pair's backward come from a pair of the next rank that ran two
    // pairs earlier, not the one running now (else neighbouring ranks
    // ping-pong, each pair waiting for the other's). Megatron-Core runs it
    // for pp 1 only (more ranks need virtual stages); pp 1 warms up with one.
    const int w = pairs ? std::min(2 * (pp - r - 1) + 1, n) : warm_up(pp, r, n);
    for (int m = 0; m < w; ++m) list.push_back(Instruction::forward({m, r}, kWarmUp));
    for (int k = 0; k + w < n; ++k) {
      if (pairs) {
        list.push_back(Instruction::forward_backward({k + w, r}, {k, r}, kSteady));
        continue;
      }
      list.push_back(Instruction::forward({k + w, r}, kSteady));
      list.push_back(Instruction::backward_full({k, r}, kSteady));
    }
    for (int k = n - w; k < n; ++k) list.push_back(Instruction::backward_full({k, r}, kCoolDown));
  }
  return s;
}

// ZB-H1. With per-chunk costs F, B (input grad) and W, W <= F, the bubble on
// every rank is (pp-1)(F + B - W): the B chain from the last rank to rank 0 no
// longer carries W (saving (pp-1) W), and the r W's rank r defers fill the gaps
// of its drain (saving the other (pp-1) W on the critical rank). With W > F the
// drain gaps are too short for them and (pp-1)(W - F) of bubble remains.
Schedule make_zb1p(int pp, int n) {
  Schedule s = one_stage_per_rank(ScheduleKind::kZb1p, pp, n);
  for (int r = 0; r < pp; ++r) {
    std::vector<Instruction>& list = s.per_rank[r];
    const int w = warm_up(pp, r, n);
    const int deferred = r;
    int next_w = 0;  // W's run in micro-batch order
    auto backward = [&](int m, int step) {
      list.push_back(Instruction::backward_input({m, r}, step));
      if (m >= deferred) list.push_back(Instruction::backward_weight({next_w++, r}, step));
    };
    for (int m = 0; m < w; ++m) list.push_back(Instruction::forward({m, r}, kWarmUp));
    for (int k = 0; k + w < n; ++k) {
      list.push_back(Instruction::forward({k + w, r}, kSteady));
      backward(k, kSteady);
    }
    for (int k = n - w; k < n; ++k) backward(k, kCoolDown);
    while (next_w < n) list.push_back(Instruction::backward_weight({next_w++, r}, kTrailingW));
  }
  return s;
}

}  // namespace moesim::detail
