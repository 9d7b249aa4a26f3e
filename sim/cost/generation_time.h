#pragma once
// A generation phase (PhaseKind::kGeneration: reinforcement learning's
// rollouts on the training cluster), priced as an approximation. The phase's
// plan lays the model out as in training: each of the dp x cp replicas of
// pp x tp GPUs decodes global_batch / (dp x cp) sequences at once. A batch:
//   prefill    the prompts as the training forward pass prices them
//              (stage_cost.h at seq_len = prompt_len; micro-batches of
//              micro_batch_size sequences through the pipeline), and
//   decode     seq_len - prompt_len iterations, each advancing every
//              sequence by one token, at the mean context (prompt + half the
//              response). An iteration on a pipeline rank's GPU is the larger
//              of reading its weights (routed experts only where a token
//              lands: 1 - (1 - top_k / E)^tokens of the EP group) and its
//              sequences' KV cache at the efficiency table's HBM efficiency,
//              and its FLOPs (the model's forward FLOPs per token at that
//              context, over pp x tp GPUs) at the GEMM efficiency of M = its
//              tokens; plus its EP dispatch and combine, TP all-reduces and
//              pipeline send at closed-form times (comm_model.h). Stages
//              pipeline over sequences: the slowest rank paces an iteration.
// Not modelled: speculative decoding, continuous batching, prefix caching,
// a separate inference engine or weight resharding between the phases.

#include "sim/cost/estimate.h"

namespace moesim {

struct GenerationPrice {
  double sequences_per_replica = 0;
  int response_len = 0;       // seq_len - prompt_len: decode iterations a batch
  double mean_context = 0;    // prompt + half the response
  Seconds prefill;            // a batch's prompts
  Seconds prefill_comm;       // of which communication
  Seconds iteration;          // one decode iteration, the slowest rank
  Seconds iteration_comm;     // of which communication
  bool memory_bound = false;  // HBM reads, not FLOPs, set the iteration
  Bytes weights_per_gpu;      // the largest rank's
  Bytes kv_cache_per_gpu;     // at full context
  Seconds batch_time() const { return prefill + iteration * static_cast<double>(response_len); }
};

// REQUIRES: ph.kind == kGeneration; `s` is the scenario as the phase runs
// (its own plan: PhaseScenario).
GenerationPrice price_generation(const Scenario& s, const TrainingPhase& ph);

// The phase's report row: a "step" is one batch; tokens are generated ones.
PhaseEstimate generation_phase(const Scenario& s, const TrainingPhase& ph);

}  // namespace moesim
