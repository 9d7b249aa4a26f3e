#pragma once
// The segments one pipeline chunk runs, in order: compute segments, EP calls,
// TP collectives (analytic time), and the pipeline send at the end; and the
// interleaving of a DualPipe F&B pair's two chains. The des step
// (sim/step/des_step.h) runs them on the engine; the analytic fidelity
// list-schedules a pair with their analytic times (pair_span).

#include <string>
#include <utility>
#include <vector>

#include "sim/cost/comm_model.h"
#include "sim/cost/stage_cost.h"
#include "sim/scenario/scenario.h"

namespace moesim {

enum class SegmentKind : std::uint8_t {
  kCompute,   // `work` at full SMs on the compute stream
  kDispatch,  // an EP call in dispatch direction (FP8 payload when the recipe says so)
  kCombine,   // an EP call in combine direction (BF16)
  kTpComm,    // TP all-reduces, `work` on the communication stream (no flows)
  kSend,      // the pipeline send of the chunk's output (or input gradient)
  kEpNotify,  // DeepEP's notify before an EP call: `work` on the communication stream
};

struct Segment {
  SegmentKind kind = SegmentKind::kCompute;
  std::string name;  // "L17.attn", "L17.dispatch", "head", "send"
  Seconds work;      // compute and TP; an estimate for EP calls and sends
  // A weight-gradient segment off the chain: it waits for the chain's last
  // compute segment before it, and nothing later in the chain waits for it
  // (its stream's order still does). DualPipe issues the dispatch of a
  // layer's input gradient before its weight gradients (V3TR Figure 4;
  // DeepSeek's trace: dispatch(B), then mlp(W)).
  bool side = false;
  // Compute segments: the share of `work` that is SM-bound (Task::sm_bound).
  double sm_bound = 1.0;
};

struct ChainContext {
  const Scenario* scenario = nullptr;
  const StageCosts* costs = nullptr;
  bool ep_calls = false;                // MoE with ep > 1: EP calls are segments
  // Per call: the analytic times (the des step's order of issue; the engine
  // simulates the calls themselves).
  Seconds dispatch_guess, combine_guess, send_guess;
  EpNotifyTimes notify;  // zero when the calibration has no notify figure
  // DualPipe's F&B pairs: weight gradients off the chain (Segment::side), the
  // input gradient's dispatch issued first. Elsewhere (1F1B, ZB1P: autograd
  // order on one stream) they stay on it.
  bool weight_grad_off_chain = false;
  // A chunk nothing overlaps: its compute at all SMs (StageCosts::units_alone).
  bool alone = false;
  // shared_expert_overlap: a MoE layer's shared experts run off the chain
  // beside its dispatch (forward) and combine's gradient (backward).
  bool shared_beside_calls = false;
  // Segment names ("L17.attn"); off where only times matter.
  bool names = true;
};

enum class ChainPass : std::uint8_t { kForward, kBackwardInput, kBackwardFull, kBackwardWeight };

// The chain of `pass` on model stage `stage`, with a send at the end when a
// neighbouring stage receives it (forward: stage + 1; backward: stage - 1).
std::vector<Segment> stage_chain(const ChainContext& c, int stage, ChainPass pass);

// The context both fidelities build chains with: s's plan over `costs`, EP
// calls as segments where the model has MoE and ep > 1, the calls' analytic
// times as their estimates, DeepEP's notify from the calibration profile.
ChainContext chain_context(const Scenario& s, const StageCosts& costs);

// An F&B pair's segments on three resources (compute, communication, sends):
// a list schedule of the two chains, each segment after its chain predecessor
// (a side segment after its chain's last compute), the earliest start first
// and the backward chain first at ties, every segment for its `work`.
struct PairSchedule {
  std::vector<std::pair<int, size_t>> order;  // start order: (chain, index), chain 0 = forward
  Seconds span;                               // the last segment's end
};
PairSchedule interleave(const std::vector<Segment>& forward, const std::vector<Segment>& backward);

// The span of DualPipe's F&B pair on one rank: the forward chunk of
// `forward_stage` beside the full backward of `backward_stage` (weight
// gradients off the chain), list-scheduled as interleave() does with the
// context's times. The analytic fidelity's pair time.
Seconds pair_span(const ChainContext& c, int forward_stage, int backward_stage);

}  // namespace moesim
