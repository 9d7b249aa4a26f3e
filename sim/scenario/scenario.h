#pragma once
// A scenario: what to train (model), on what (cluster), how (parallel plan and
// precision) and for how long (training phases and price). Plain values; the
// JSON format that produces them is documented in docs/scenario-format.md and
// parsed by scenario_json.h, whose validate_scenario() checks that the parts fit together.

#include <optional>
#include <string>
#include <vector>

#include "sim/hw/cluster_spec.h"
#include "sim/model/model_spec.h"
#include "sim/model/routing.h"

namespace moesim {

enum class ScheduleKind { k1F1B, kInterleaved1F1B, kZb1p, kDualPipe, kDualPipeV };

// Activation recomputation in backward (V3TR §3.2.3 recomputes RMSNorm and the
// MLA up-projections; SwiGLU output is recomputed from FP8-cached inputs, §3.3.3).
struct RecomputeSpec {
  bool norm = false;         // RMSNorm outputs
  bool mla_up_proj = false;  // MLA q/kv up-projections
  bool swiglu = false;       // SwiGLU output
  bool full = false;         // whole layer (keep only the layer input)
  bool operator==(const RecomputeSpec& o) const;
};

// How context-parallel ranks see the whole sequence's keys and values.
enum class CpKind {
  kAllGather,  // Llama 3 (arXiv 2407.21783 §3.3.2): all-gather K/V, then attend; exposed
  kRing,       // Megatron-LM: K/V chunks passed round the ring under the attention
  // MLA only: all-gather the compressed latent (c_KV and the shared RoPE key,
  // kv_lora_rank + qk_rope_head_dim per token, V3TR §2.1.1) instead of the
  // up-projected K/V, and up-project the whole sequence on every rank.
  kAllGatherLatent,
};

struct ParallelPlan {
  int pp = 1;               // pipeline stages
  int ep = 1;               // expert parallel degree (carved out of DP x TP x CP)
  int dp = 1;               // data parallel degree
  int tp = 1;               // tensor parallel degree (with sequence parallelism)
  // Expert tensor parallel degree (Megatron-Core): each routed expert's width
  // split over etp GPUs; EP ranks are etp GPUs each, so ep x etp GPUs hold
  // one copy of every expert, and they divide dp x tp x cp.
  int etp = 1;
  // Context parallel degree: each sequence in 2 cp chunks, rank i holding
  // chunks i and 2cp-1-i, so every rank has seq_len / cp tokens and 1/cp of
  // the causal attention's work. Weights are replicated over CP like DP, and
  // gradients and ZeRO shards are over dp x cp (Megatron-Core's convention).
  int cp = 1;
  CpKind cp_kind = CpKind::kAllGather;
  int zero_stage = 1;       // 0..3 (ZeRO-1 shards optimizer states over DP)
  ScheduleKind schedule = ScheduleKind::k1F1B;
  int virtual_stages = 1;   // chunks per rank for interleaved 1F1B
  int micro_batch_size = 1; // sequences per micro-batch
  std::optional<int> micro_batches;  // per DP rank per step; else global batch decides
  // Layers per pipeline stage (empty: the balanced split of stage_split.h).
  std::vector<int> stage_layers;
  int comm_sms = 0;         // SMs held by communication kernels (V3TR §3.2.2: 20)
  // Extra physical expert copies per EP group, placed by EPLB's policy
  // (sim/model/eplb.h) on the routing's loads; 0: each expert once, contiguous.
  int redundant_experts = 0;
  RecomputeSpec recompute;
  bool operator==(const ParallelPlan& o) const;
  // Model chunks the schedule runs (stage_layers has one entry each):
  // pp x virtual_stages interleaved, 2 pp for dualpipev, else pp.
  int model_chunks() const {
    if (schedule == ScheduleKind::kInterleaved1F1B) return pp * (virtual_stages > 1 ? virtual_stages : 1);
    if (schedule == ScheduleKind::kDualPipeV) return 2 * pp;
    return pp;
  }
  // Tokens one GPU holds of a micro-batch of `seq_len`-token sequences.
  int tokens_per_gpu(int seq_len) const { return micro_batch_size * (seq_len / cp); }
  // Of those, the tokens a GPU routes into a MoE block: its 1/tp sequence-
  // parallel share (the TP group holds the same tokens).
  int moe_tokens_per_gpu(int seq_len) const { return tokens_per_gpu(seq_len) / tp; }
  // Ranks that hold the same weights and split the gradient sync and ZeRO
  // shards: the data- and context-parallel ranks.
  int weight_replicas() const { return dp * cp; }
  // Ranks that hold the same routed-expert shard: a stage's dp x tp x cp GPUs
  // over the ep x etp that hold one copy of every expert.
  int expert_replicas() const { return dp * tp * cp / (ep * etp); }
};

enum class PrecisionKind { kBf16, kFp8 };

struct PrecisionSpec {
  PrecisionKind kind = PrecisionKind::kBf16;
  // FP8 recipe (V3TR §3.3): E4M3, 1x128 activation tiles, 128x128 weight blocks.
  bool fp8_dispatch = false;  // EP dispatch payload in FP8 (+ one FP32 scale per 128)
  int master_weight_bytes = 4;    // FP32 master weights (V3TR §3.3.3)
  int grad_bytes = 4;             // FP32 gradient accumulation (V3TR §3.3.3)
  int optimizer_state_bytes = 2;  // per AdamW moment; BF16 in V3TR §3.3.3
  bool operator==(const PrecisionSpec& o) const;
};

// Global batch in sequences. A ramp grows linearly in consumed tokens from
// `ramp_from` to `sequences` over `ramp_tokens` (V3TR §4.2: 3072 -> 15360 over 469B).
struct BatchSchedule {
  int sequences = 0;
  int ramp_from = 0;        // 0: no ramp
  double ramp_tokens = 0;
  bool operator==(const BatchSchedule& o) const;
};

struct TrainingPhase {
  std::string name;
  double tokens = 0;        // either tokens or steps is given; the other is derived
  double steps = 0;
  int seq_len = 0;
  BatchSchedule batch;
  // The phase's own plan, where it differs from the scenario's (context
  // extension at 32K and 128K ran with other layouts); none: the scenario's.
  std::optional<ParallelPlan> plan;
  bool operator==(const TrainingPhase& o) const;
};

struct TrainingSpec {
  std::vector<TrainingPhase> phases;
  double price_per_gpu_hour_usd = 0;
  // How tokens pick experts (sim/model/routing.h): uniform unless given; the
  // step's busiest EP rank follows from it (sim/cost/expert_load.h).
  RoutingSpec routing;
  // How that load evens out over the run (none, aux_free, capacity).
  BalancingSpec balancing;
  bool operator==(const TrainingSpec& o) const;
};

struct Scenario {
  std::string name;
  std::string description;
  ModelSpec model;
  ClusterSpec cluster;
  ParallelPlan plan;
  PrecisionSpec precision;
  TrainingSpec training;
  bool operator==(const Scenario& o) const;
};

// The plan phase i runs: its own, else the scenario's.
const ParallelPlan& phase_plan(const Scenario& s, size_t i);
// The scenario as phase i runs it: that phase's plan as the plan, the rest
// as it is (the run's phases kept: balancing runs over all of them). What
// every pricing of one phase takes, so no model reads a phase's plan
// differently.
Scenario phase_scenario(const Scenario& s, size_t i);

// phase_scenario(s, i) that copies the scenario only where phase i has a
// plan of its own (estimates run per phase, sweeps run thousands of them).
// REQUIRES: `s` outlives it. Not copyable: it may refer to its own copy.
class PhaseScenario {
 public:
  PhaseScenario(const Scenario& s, size_t i) : base_(&s) {
    if (s.training.phases.at(i).plan) own_ = phase_scenario(s, i);
  }
  PhaseScenario(const PhaseScenario&) = delete;
  PhaseScenario& operator=(const PhaseScenario&) = delete;
  const Scenario& get() const { return own_ ? *own_ : *base_; }

 private:
  const Scenario* base_;
  std::optional<Scenario> own_;
};

const char* to_string(ScheduleKind s);
const char* to_string(CpKind k);
const char* to_string(PrecisionKind p);
std::vector<std::string> schedule_names();

}  // namespace moesim
