#include "sim/cost/schedule_model.h"

#include <algorithm>

#include "sim/core/check.h"

namespace moesim {

int model_stage_count(const ParallelPlan& p) { return p.model_chunks(); }

namespace {

std::vector<std::vector<int>> stages_of_ranks(const ParallelPlan& p) {
  std::vector<std::vector<int>> r(p.pp);
  const int stages = model_stage_count(p);
  for (int i = 0; i < p.pp; ++i) {
    switch (p.schedule) {
      case ScheduleKind::kInterleaved1F1B:
        for (int c = i; c < stages; c += p.pp) r[i].push_back(c);
        break;
      case ScheduleKind::kDualPipe:
        r[i] = {i, p.pp - 1 - i};
        break;
      case ScheduleKind::kDualPipeV:
        r[i] = {i, stages - 1 - i};
        break;
      default:
        r[i] = {i};
    }
  }
  return r;
}

Seconds compute_of(const StageCost& s) {
  return s.total.fwd + s.total.bwd_input + s.total.bwd_weight;
}
Seconds comm_of(const StageCost& s) { return s.total.comm_fwd + s.total.comm_bwd + s.p2p * 2.0; }

// A chunk's forward then its full backward, each chain run alone.
Seconds lone_chunk(const InstructionTimes& t, int stage) {
  return t(Instruction::forward({0, stage}, 0)) + t(Instruction::backward_full({0, stage}, 0));
}

}  // namespace

StepModel schedule_step(const ParallelPlan& plan, const StageCosts& costs,
                        const InstructionTimes* chained) {
  StepModel m;
  m.num_model_stages = model_stage_count(plan);
  MOESIM_CHECK(static_cast<int>(costs.stages.size()) == m.num_model_stages,
               "stage count does not match the schedule");
  m.rank_stages = stages_of_ranks(plan);
  const auto& st = costs.stages;
  const bool overlapped = plan.pairs_forward_backward();
  const bool dualpipe =
      plan.schedule == ScheduleKind::kDualPipe || plan.schedule == ScheduleKind::kDualPipeV;

  // Per-stage chunk times on the slowest stage, for the bubble formulas.
  Seconds f_max, b_max, w_max, fb_max, t_max;
  for (const auto& s : st) {
    // Warm-up and cool-down chunks run alone, their calls exposed, except in
    // DualPipe's table formula (which counts them inside F&B).
    const Seconds f = s.total.fwd + (dualpipe ? Seconds() : s.total.comm_fwd + s.p2p);
    const Seconds b = s.total.bwd_input + (dualpipe ? Seconds() : s.total.comm_bwd + s.p2p);
    f_max = max(f_max, f);
    b_max = max(b_max, b);
    w_max = max(w_max, s.total.bwd_weight);
    fb_max = max(fb_max, max(s.total.fwd + s.total.bwd_input, comm_of(s)));
    t_max = max(t_max, f + b + s.total.bwd_weight);
  }

  // Slope: per rank, the time one micro-batch costs it in steady state.
  for (int r = 0; r < plan.pp; ++r) {
    Seconds per_mb, compute, comm;
    const std::vector<int>& rs = m.rank_stages[r];
    // DualPipe ranks see N/2 micro-batches per stage; DualPipeV and
    // interleaved ranks see all N on each of their stages.
    const double share = plan.schedule == ScheduleKind::kDualPipe ? 0.5 : 1.0;
    if (overlapped && chained && dualpipe && rs.size() == 2) {
      // Its two F&B pairs, each stage's forward beside the other's backward.
      const Seconds ab = chained->pair(rs[0], rs[1]), ba = chained->pair(rs[1], rs[0]);
      fb_max = max(fb_max, max(ab, ba));
      per_mb = (ab + ba) * share;
      compute = (compute_of(st[rs[0]]) + compute_of(st[rs[1]])) * share;
      comm = per_mb > compute ? per_mb - compute : Seconds();
    } else if (chained && !dualpipe) {
      // EP all-to-all overlap: in the steady state each of its chunks'
      // forwards beside a backward of the same shape (interleaved pairs
      // other chunks of the rank, which the executed schedule prices).
      // Else (shared experts beside the calls) each chunk's forward and
      // full backward chains, one after the other.
      for (int si : rs) {
        const Seconds t = plan.ep_a2a_overlap ? chained->pair(si, si) : lone_chunk(*chained, si);
        fb_max = max(fb_max, t);
        per_mb += t;
        compute += compute_of(st[si]);
      }
      comm = per_mb > compute ? per_mb - compute : Seconds();
    } else {
      for (int si : rs) {
        const StageCost& s = st[si];
        if (overlapped) {
          const Seconds c = compute_of(s), x = comm_of(s);
          per_mb += max(c, x) * share;
          compute += c * share;
          comm += (x > c ? x - c : Seconds()) * share;
        } else {
          per_mb += (compute_of(s) + comm_of(s)) * share;
          compute += compute_of(s) * share;
          comm += comm_of(s) * share;
        }
      }
    }
    if (r == 0 || per_mb > m.per_micro_batch) {
      m.per_micro_batch = per_mb;
      m.slowest_rank = r;
      m.compute_per_mb = compute;
      m.exposed_comm_per_mb = comm;
    }
  }
  if (!overlapped && plan.schedule != ScheduleKind::kInterleaved1F1B) {
    // Without overlap every rank is paced by the slowest stage.
    // (With chains, shared experts beside the calls: each stage's chains.)
    Seconds paced = t_max;
    if (chained) {
      paced = Seconds();
      for (size_t si = 0; si < st.size(); ++si)
        paced = max(paced, lone_chunk(*chained, static_cast<int>(si)));
    }
    m.imbalance_per_mb = paced - m.per_micro_batch;
    m.per_micro_batch = paced;
  }

  const double pp_stages = m.num_model_stages;
  switch (plan.schedule) {
    case ScheduleKind::k1F1B:
      m.bubble = (f_max + b_max + w_max) * (plan.pp - 1);
      break;
    case ScheduleKind::kZb1p: {
      const Seconds full_b = b_max + w_max;
      const Seconds x = f_max + full_b - w_max * 2.0;
      m.bubble = max(Seconds(), x) * (plan.pp - 1);
      break;
    }
    case ScheduleKind::kInterleaved1F1B: {
      // Each chunk is 1/v of a rank's layers; rank time per micro-batch already
      // sums its chunks, so the bubble is (PP-1) x (rank F+B) / v.
      m.bubble = m.per_micro_batch * (plan.pp - 1) / std::max(1, plan.virtual_stages);
      break;
    }
    case ScheduleKind::kDualPipe:
    case ScheduleKind::kDualPipeV: {
      const Seconds full_b = b_max + w_max;
      const Seconds x = fb_max + full_b - w_max * 3.0;
      m.bubble = max(Seconds(), x) * (pp_stages / 2.0 - 1.0);
      break;
    }
  }
  return m;
}

}  // namespace moesim
