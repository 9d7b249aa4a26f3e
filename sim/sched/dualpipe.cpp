// DualPipe and DualPipeV: the per-rank 8-step order of deepseek-ai/DualPipe
// (dualpipe.py, dualpipev.py, DualPipe.step()), as described in
// shared/reference/published-figures.md §8.2. Written from that description and
// cross-checked against the repository's instruction order; no code is shared.
//
// Each rank has two local phases. Phase 0 is the direction in which the rank is
// early (stage h = min(r, pp-1-r) of it in DualPipe; stage r in DualPipeV), phase 1
// the one in which it is late. F(p), B(p) take the next micro-batch of phase p in
// order. A backward with zero bubble on emits only B and queues its W; each W
// instruction runs the oldest queued one (FIFO, as WeightGradStore).
#include <algorithm>
#include <deque>

#include "sim/core/check.h"
#include "sim/sched/detail/generators.h"

namespace moesim::detail {

namespace {

struct Phase {
  int stage = 0;
  int first_micro_batch = 0;  // the phase runs micro-batches [first, first + count) in order
  int count = 0;
  int next_forward = 0;
  int next_backward = 0;
};

// Emits one rank's instructions phase by phase.
class RankBuilder {
 public:
  RankBuilder(Phase p0, Phase p1, std::vector<Instruction>& out) : phase_{p0, p1}, out_(out) {}

  void set_step(int step) { step_ = step; }
  void forward(int p) { out_.push_back(Instruction::forward(take_forward(p), step_)); }
  void backward(int p, bool zero_bubble) {
    const Chunk c = take_backward(p);
    if (zero_bubble) {
      out_.push_back(Instruction::backward_input(c, step_));
      deferred_.push_back(c);
    } else {
      out_.push_back(Instruction::backward_full(c, step_));
    }
  }
  // F of phase pf overlapped with the full backward of phase pb.
  void forward_backward(int pf, int pb) {
    const Chunk f = take_forward(pf);
    out_.push_back(Instruction::forward_backward(f, take_backward(pb), step_));
  }
  void weight() {
    MOESIM_CHECK(!deferred_.empty(), "DualPipe W with no deferred weight gradient");
    out_.push_back(Instruction::backward_weight(deferred_.front(), step_));
    deferred_.pop_front();
  }
  bool done() const {
    return deferred_.empty() && phase_[0].next_backward == phase_[0].count &&
           phase_[1].next_backward == phase_[1].count;
  }

 private:
  Chunk take_forward(int p) {
    Phase& ph = phase_[p];
    MOESIM_CHECK(ph.next_forward < ph.count, "DualPipe forward past the last micro-batch");
    return {ph.first_micro_batch + ph.next_forward++, ph.stage};
  }
  Chunk take_backward(int p) {
    Phase& ph = phase_[p];
    MOESIM_CHECK(ph.next_backward < ph.next_forward, "DualPipe backward before its forward");
    return {ph.first_micro_batch + ph.next_backward++, ph.stage};
  }

  Phase phase_[2];
  std::deque<Chunk> deferred_;
  std::vector<Instruction>& out_;
  int step_ = 0;
};

// The 8 steps for half-rank h of H (§8.2's notation) with n4 main-step
// iterations; `middle` ranks run their first main iteration's F(0) and B(1) one
// after the other.
void emit_steps(RankBuilder& rb, int h, int half_ranks, int n4, bool middle) {
  const int edge = half_ranks - h - 1;  // iterations of steps 3, 5 and 7
  rb.set_step(1);                       // nF0
  for (int i = 0; i < 2 * edge; ++i) rb.forward(0);
  rb.set_step(2);  // nF0F1
  for (int i = 0; i < h + 1; ++i) {
    rb.forward(0);
    rb.forward(1);
  }
  rb.set_step(3);  // nB1W1F1, zero bubble
  for (int i = 0; i < edge; ++i) {
    rb.backward(1, true);
    rb.weight();
    rb.forward(1);
  }
  rb.set_step(4);  // main: nF0B1F1B0
  for (int i = 0; i < n4; ++i) {
    if (i == 0 && middle) {
      rb.forward(0);  // not overlapped, "to further reduce bubble size"
      rb.backward(1, false);
    } else {
      rb.forward_backward(0, 1);
    }
    rb.forward_backward(1, 0);
  }
  rb.set_step(5);  // nB1F1B0
  for (int i = 0; i < edge; ++i) {
    rb.backward(1, false);
    rb.forward_backward(1, 0);
  }
  rb.set_step(6);  // nB1B0; W deferred from the middle iteration on, h+1 of them
  const int steps6 = h + 1;
  bool zero_bubble = false;
  for (int i = 0; i < steps6; ++i) {
    if (i == steps6 / 2 && h % 2 == 1) zero_bubble = true;
    rb.backward(1, zero_bubble);
    if (i == steps6 / 2 && h % 2 == 0) zero_bubble = true;
    rb.backward(0, zero_bubble);
  }
  rb.set_step(7);  // nWB0, zero bubble
  for (int i = 0; i < edge; ++i) {
    rb.weight();
    rb.backward(0, true);
  }
  rb.set_step(8);  // nW
  for (int i = 0; i < h + 1; ++i) rb.weight();
  MOESIM_CHECK(rb.done(), "DualPipe steps left work unscheduled");
}

Schedule two_stages_per_rank(ScheduleKind kind, int pp, int stages, int n) {
  Schedule s;
  s.kind = kind;
  s.ranks = pp;
  s.stages = stages;
  s.micro_batches = n;
  s.per_rank.resize(pp);
  return s;
}

}  // namespace

Schedule make_dualpipe(int pp, int n) {
  Schedule s = two_stages_per_rank(ScheduleKind::kDualPipe, pp, pp, n);
  const int half_ranks = pp / 2;
  const int half = n / 2;
  for (int r = 0; r < pp; ++r) {
    s.rank_stages.push_back({r, pp - 1 - r});
    const Phase forward_direction{r, 0, half};
    const Phase reverse_direction{pp - 1 - r, half, half};
    const bool second_half = r >= half_ranks;
    RankBuilder rb(second_half ? reverse_direction : forward_direction,
                   second_half ? forward_direction : reverse_direction, s.per_rank[r]);
    const int h = std::min(r, pp - 1 - r);
    emit_steps(rb, h, half_ranks, half - pp + h + 1, r == half_ranks - 1 || r == half_ranks);
  }
  return s;
}

Schedule make_dualpipev(int pp, int n) {
  Schedule s = two_stages_per_rank(ScheduleKind::kDualPipeV, pp, 2 * pp, n);
  for (int r = 0; r < pp; ++r) {
    s.rank_stages.push_back({r, 2 * pp - 1 - r});
    RankBuilder rb(Phase{r, 0, n}, Phase{2 * pp - 1 - r, 0, n}, s.per_rank[r]);
    emit_steps(rb, r, pp, n - 2 * pp + r + 1, r == pp - 1);
  }
  return s;
}

}  // namespace moesim::detail
