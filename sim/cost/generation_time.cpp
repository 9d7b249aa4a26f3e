#include "sim/cost/generation_time.h"

#include <algorithm>
#include <cmath>

#include "sim/cost/comm_model.h"
#include "sim/cost/schedule_model.h"
#include "sim/hw/efficiency_table.h"

namespace moesim {

namespace {

// Bytes per weight a decode iteration reads: the FP8 recipe's GEMMs run on
// FP8 weights (V3TR §3.3, one scale per 128x128 block), else BF16.
double weight_bytes(const Scenario& s) {
  return s.precision.kind == PrecisionKind::kFp8 ? 1.0 + 4.0 / (128.0 * 128.0) : 2.0;
}

}  // namespace

GenerationPrice price_generation(const Scenario& s, const TrainingPhase& ph) {
  const ParallelPlan& p = s.plan;
  const ModelSpec& m = s.model;
  const ClusterSpec& c = s.cluster;
  GenerationPrice g;
  const int replicas = p.dp * p.cp;
  g.sequences_per_replica = static_cast<double>(ph.batch.sequences) / replicas;
  g.response_len = ph.seq_len - ph.prompt_len;
  g.mean_context = ph.prompt_len + g.response_len / 2.0;
  const double b = g.sequences_per_replica;

  // Prefill: the training forward pass on the prompts, micro-batches of
  // micro_batch_size sequences through the pipeline (fill included).
  const StageCosts pre = price_stages(s, model_stage_count(p), ph.prompt_len, false);
  Seconds slowest, slowest_comm;
  for (const StageCost& st : pre.stages) {
    const Seconds t = st.total.fwd + st.total.comm_fwd + st.p2p;
    if (t > slowest) {
      slowest = t;
      slowest_comm = st.total.comm_fwd + st.p2p;
    }
  }
  const double micro_batches = std::ceil(b / p.micro_batch_size);
  const double passes = micro_batches + model_stage_count(p) - 1;
  g.prefill = slowest * passes;
  g.prefill_comm = slowest_comm * passes;

  // Decode: per pipeline rank's GPU, at the mean context. The costs priced
  // at the prompt length give each rank's layers and parameters.
  const ModelSummary at_context = summarize(m, std::max(1, static_cast<int>(2 * g.mean_context)));
  const EfficiencyTable& t = efficiency_table(c);
  const bool fp8 = s.precision.kind == PrecisionKind::kFp8;
  const double tokens = b;  // each GPU of a replica sees every sequence's token
  const double gpu_share = 1.0 / (static_cast<double>(model_stage_count(p)) * p.tp);
  const Flops work = at_context.forward_flops_per_token * (tokens * gpu_share);
  const double peak = flops_per_s(fp8 ? c.gpu.peak_fp8 : c.gpu.peak_bf16);
  const Seconds compute =
      SecondsOf(flops(work) / (peak * t.gemm_efficiency(tokens, m.hidden, m.hidden, fp8)));
  // Routed experts a token reaches in one iteration, over the EP group.
  double expert_hit = 1;
  if (m.moe.enabled()) {
    const double group_tokens = tokens * p.ep / p.tp;
    expert_hit =
        1 - std::pow(1 - static_cast<double>(m.moe.top_k) / m.moe.num_routed_experts, group_tokens);
  }
  // KV cache per token and layer on one GPU: GQA splits KV heads over TP,
  // MLA's latent is whole on every TP rank.
  const double kv_per_token_layer =
      bytes(at_context.kv_cache_bytes_per_token) / m.num_layers /
      (m.attention.kind == AttentionKind::kMla ? 1.0 : p.tp);
  const EpFanout fanout = m.moe.enabled() && p.ep > 1 ? ep_fanout(m, c, p.ep, p.etp) : EpFanout{};
  const Bytes hidden_state = ByteCount(tokens * m.hidden * 2.0);

  const StepModel layout = schedule_step(p, pre);
  for (const std::vector<int>& rank : layout.rank_stages) {
    double dense = 0, expert = 0;
    int layers = 0, moe_layers = 0;
    for (int si : rank) {
      const StageCost& st = pre.stages[static_cast<size_t>(si)];
      dense += st.total.params_dense;
      expert += st.total.params_expert;
      layers += st.num_layers;
      moe_layers += st.moe_layers + (st.has_mtp && m.moe.enabled() ? m.mtp_depth : 0);
    }
    const double weights = (dense + expert * expert_hit) * weight_bytes(s);
    const double kv = tokens * g.mean_context * kv_per_token_layer * layers;
    const Seconds memory =
        ByteCount(weights + kv) / (c.gpu.hbm_bandwidth * t.memory_efficiency());
    // Communication: EP dispatch and combine of each MoE layer (BF16), two
    // TP all-reduces a layer, the send to the next stage.
    Seconds comm;
    if (m.moe.enabled() && p.ep > 1)
      comm += (ep_transfer_time(fanout, tokens / p.tp, m.hidden, 2.0, c) * 2.0) * moe_layers;
    if (p.tp > 1)
      comm += ring_collective_time(hidden_state, p.tp, c.nvlink_achievable, c.nvlink_latency) *
              (4.0 * layers);
    if (model_stage_count(p) > 1) comm += p2p_time(hidden_state, c.ib_achievable, c.ib_latency);
    const Seconds it = max(memory, compute) + comm;
    if (it > g.iteration) {
      g.iteration = it;
      g.iteration_comm = comm;
      g.memory_bound = memory >= compute;
    }
    g.weights_per_gpu = max(g.weights_per_gpu, ByteCount((dense + expert) * weight_bytes(s)));
    g.kv_cache_per_gpu =
        max(g.kv_cache_per_gpu, ByteCount(tokens * ph.seq_len * kv_per_token_layer * layers));
  }
  return g;
}

PhaseEstimate generation_phase(const Scenario& s, const TrainingPhase& ph) {
  const GenerationPrice g = price_generation(s, ph);
  PhaseEstimate pe;
  pe.name = ph.name;
  pe.kind = PhaseKind::kGeneration;
  pe.plan = s.plan;
  pe.own_plan = ph.plan.has_value();
  pe.seq_len = ph.seq_len;
  pe.global_batch = ph.batch.sequences;
  pe.step_time = g.batch_time();
  const double response = static_cast<double>(g.response_len);
  pe.breakdown.compute = (g.prefill - g.prefill_comm) + (g.iteration - g.iteration_comm) * response;
  pe.breakdown.exposed_comm = g.prefill_comm + g.iteration_comm * response;
  const double generated_per_batch = static_cast<double>(ph.batch.sequences) * response;
  pe.tokens_per_s = generated_per_batch / seconds(pe.step_time);
  pe.steps = ph.steps > 0 ? ph.steps : ph.tokens / generated_per_batch;
  pe.tokens = pe.steps * generated_per_batch;
  pe.wall_time = pe.step_time * pe.steps;
  pe.gpu_hours = hours(pe.wall_time) * s.cluster.num_gpus();
  pe.cost_usd = pe.gpu_hours * s.training.price_per_gpu_hour_usd;
  pe.memory_per_gpu = g.weights_per_gpu + g.kv_cache_per_gpu;
  // Model FLOPs of the batch (forward only: prompts and responses) over the
  // BF16 dense peak, as the training MFU.
  const ModelSummary at_context =
      summarize(s.model, std::max(1, static_cast<int>(2 * g.mean_context)));
  const double tokens_per_batch = static_cast<double>(ph.batch.sequences) * ph.seq_len;
  pe.mfu = flops(at_context.forward_flops_per_token) * tokens_per_batch /
           (seconds(pe.step_time) * s.cluster.num_gpus() * flops_per_s(s.cluster.gpu.peak_bf16));
  return pe;
}

}  // namespace moesim
