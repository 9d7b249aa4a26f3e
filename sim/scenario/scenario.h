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
  // Full recomputation of only the first `layers` layers of every model chunk
  // (0: every layer when `full`, none otherwise). Megatron-LM's
  // --recompute-method block --recompute-num-layers; TorchTitan's selective
  // "every n-th layer" recomputes layers/n of a chunk, the same count.
  int layers = 0;
  // Whether layer `i` of a chunk (0-based) is fully recomputed.
  bool full_at(int i) const { return full && (layers <= 0 || i < layers); }
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
  // Megatron-Core's overlap_moe_expert_parallel_comm (with
  // delay_wgrad_compute): in the steady state each forward chunk runs beside
  // another micro-batch's full backward, the EP calls of one hidden under the
  // other's compute, as DualPipe's F&B pairs; one more warm-up forward per
  // rank makes the two independent. 1f1b and interleaved_1f1b, ep > 1.
  bool ep_a2a_overlap = false;
  // Megatron-Core's moe_shared_expert_overlap: the shared experts run on the
  // compute stream while the same micro-batch's dispatch and combine are in
  // flight (forward and backward).
  bool shared_expert_overlap = false;
  // ZeRO-3 / FSDP: free the gathered parameters after each unit's forward
  // and gather them again for its backward (FSDP's reshard_after_forward,
  // its default); false keeps a chunk's parameters gathered from its
  // forward to its backward (ZeRO++ / FSDP2's False: memory for traffic).
  bool reshard_after_forward = true;
  // Megatron-LM's --tp-comm-overlap (TorchTitan's async TP): TP's
  // all-gathers and reduce-scatters pipelined in tp chunks with the GEMM
  // beside each (stage_cost.cpp); needs tp > 1.
  bool tp_comm_overlap = false;
  bool operator==(const ParallelPlan& o) const;
  // EP calls hidden in F&B pairs of two micro-batches: DualPipe and
  // DualPipeV always, 1F1B and interleaved 1F1B under ep_a2a_overlap.
  bool pairs_forward_backward() const {
    return schedule == ScheduleKind::kDualPipe || schedule == ScheduleKind::kDualPipeV ||
           ep_a2a_overlap;
  }
  // Communication runs beside compute somewhere in a chunk: paired
  // schedules, or the shared experts beside their own EP calls.
  bool overlaps_comm() const { return pairs_forward_backward() || shared_expert_overlap; }
  // Parameters gathered per unit before its compute (ZeRO-3 / FSDP).
  bool gathers_parameters() const { return zero_stage >= 3; }
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
  // The dispatch payload is FP8 only in FP8 training: V3 quantizes the
  // activations before the MoE up-projections, whose FP8 Fprop consumes them
  // (V3TR §3.3.3); under bf16 the experts' GEMMs take BF16, so a bf16 run
  // dispatches BF16 whatever fp8_dispatch says (the report and the studio
  // show it off there).
  bool dispatches_fp8() const { return kind == PrecisionKind::kFp8 && fp8_dispatch; }
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

// What a phase runs: training steps, or (reinforcement learning's rollouts)
// autoregressive generation on the training cluster, priced as an
// approximation (sim/cost/generation_time.h).
enum class PhaseKind { kTraining, kGeneration };

struct TrainingPhase {
  std::string name;
  PhaseKind kind = PhaseKind::kTraining;
  // Training: tokens trained on. Generation: tokens generated (responses).
  double tokens = 0;        // either tokens or steps is given; the other is derived
  double steps = 0;
  // Training: the sequence length. Generation: prompt + response, the
  // longest context a sequence reaches.
  int seq_len = 0;
  // Generation only: the prompt's tokens of seq_len (the rest is generated).
  int prompt_len = 0;
  // Training: the global batch (sequences a step). Generation: the
  // sequences generated at once over the cluster (one "step" is a batch's
  // prefill and its seq_len - prompt_len decode iterations).
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
const char* to_string(PhaseKind k);
const char* to_string(PrecisionKind p);
std::vector<std::string> schedule_names();

}  // namespace moesim
