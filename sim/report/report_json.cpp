#include "sim/report/report.h"

#include "sim/report/step_timeline.h"

namespace moesim {

const char* const kMoesimVersion = "0.1.0";

namespace {
using nlohmann::json;

json breakdown_json(const TimeBreakdown& b) {
  return json{{"compute", seconds(b.compute)},     {"exposed_comm", seconds(b.exposed_comm)},
              {"bubble", seconds(b.bubble)},       {"dp_sync", seconds(b.dp_sync)},
              {"optimizer", seconds(b.optimizer)}, {"total", seconds(b.total())}};
}
json plan_json(const ParallelPlan& p) {
  return json{{"pp", p.pp},
              {"ep", p.ep},
              {"dp", p.dp},
              {"tp", p.tp},
              {"etp", p.etp},
              {"cp", p.cp},
              {"cp_kind", to_string(p.cp_kind)},
              {"zero_stage", p.zero_stage},
              {"schedule", to_string(p.schedule)},
              {"micro_batch_size", p.micro_batch_size},
              {"comm_sms", p.comm_sms},
              {"ep_a2a_overlap", p.ep_a2a_overlap},
              {"shared_expert_overlap", p.shared_expert_overlap},
              {"reshard_after_forward", p.reshard_after_forward},
              {"tp_comm_overlap", p.tp_comm_overlap}};
}
}  // namespace

json model_json(const ModelSpec& m, const ModelSummary& s) {
  return json{{"name", m.name},
              {"attention", to_string(m.attention.kind)},
              {"layers", m.num_layers},
              {"dense_layers", s.num_dense_layers},
              {"moe_layers", s.num_moe_layers},
              {"routed_experts", m.moe.num_routed_experts},
              {"top_k", m.moe.top_k},
              {"mtp_depth", m.mtp_depth},
              {"params_total", s.params_total},
              {"params_activated", s.params_activated},
              {"params_embedding", s.params_embedding},
              {"params_mtp", s.mtp_params},
              {"seq_len", s.seq_len},
              {"train_flops_per_token", flops(s.train_flops_per_token)},
              {"forward_flops_per_token", flops(s.forward_flops_per_token)},
              {"mtp_train_flops_per_token", flops(s.mtp_train_flops_per_token)},
              {"kv_cache_bytes_per_token", bytes(s.kv_cache_bytes_per_token)}};
}

json estimate_json(const Scenario& s, const Estimate& e) {
  json phases = json::array();
  json gh_phases = json::array();
  for (const auto& p : e.phases) {
    phases.push_back(json{{"name", p.name},
                          {"kind", to_string(p.kind)},
                          {"tokens", p.tokens},
                          {"steps", p.steps},
                          {"seq_len", p.seq_len},
                          {"global_batch", p.global_batch},
                          {"micro_batches", p.micro_batches},
                          {"plan", plan_json(p.plan)},
                          {"own_plan", p.own_plan},
                          {"memory_per_gpu_bytes", bytes(p.memory_per_gpu)},
                          {"step_time_s", seconds(p.step_time)},
                          {"tokens_per_s", p.tokens_per_s},
                          {"mfu", p.mfu},
                          {"breakdown_s", breakdown_json(p.breakdown)},
                          {"wall_time_s", seconds(p.wall_time)},
                          {"gpu_hours", p.gpu_hours},
                          {"cost_usd", p.cost_usd}});
    gh_phases.push_back(json{{"name", p.name}, {"gpu_hours", p.gpu_hours}});
  }
  json stages = json::array();
  for (const auto& st : e.stages)
    stages.push_back(json{{"stage", st.stage},
                          {"first_layer", st.first_layer},
                          {"layers", st.layers},
                          {"dense_layers", st.dense_layers},
                          {"moe_layers", st.moe_layers},
                          {"embedding", st.embedding},
                          {"head", st.head},
                          {"mtp", st.mtp},
                          {"fwd_s", seconds(st.fwd)},
                          {"bwd_input_s", seconds(st.bwd_input)},
                          {"bwd_weight_s", seconds(st.bwd_weight)},
                          {"comm_s", seconds(st.comm)}});
  json ranks = json::array();
  for (const auto& r : e.ranks)
    ranks.push_back(json{{"rank", r.rank},
                         {"stages", r.stages},
                         {"params", r.params},
                         {"weights_bytes", bytes(r.memory.weights)},
                         {"gradients_bytes", bytes(r.memory.gradients)},
                         {"optimizer_bytes", bytes(r.memory.optimizer)},
                         {"activations_bytes", bytes(r.memory.activations)},
                         {"total_bytes", bytes(r.memory.total())}});
  json j{
      {"moesim_version", kMoesimVersion},
      {"scenario", e.scenario},
      {"fidelity", e.fidelity},
      {"gpu", e.gpu},
      {"num_gpus", e.num_gpus},
      {"plan", plan_json(s.plan)},
      {"precision", to_string(s.precision.kind)},
      {"step_time_s", seconds(e.step_time)},
      {"executed_step_time_s", seconds(step_timeline(s, e).step_time())},
      {"tokens_per_s", e.tokens_per_s},
      {"mfu", e.mfu},
      {"breakdown_s", breakdown_json(e.breakdown)},
      {"memory_per_gpu_bytes", bytes(e.memory_per_gpu)},
      {"hbm_capacity_bytes", bytes(e.hbm_capacity)},
      {"fits", e.fits},
      {"gpu_hours", json{{"total", e.gpu_hours}, {"phases", gh_phases}}},
      {"gpu_hours_per_trillion_tokens", e.gpu_hours_per_trillion_tokens},
      {"cost_usd", e.cost_usd},
      {"price_per_gpu_hour_usd", s.training.price_per_gpu_hour_usd},
      {"wall_time_s", seconds(e.wall_time)},
      {"phases", phases},
      {"stages", stages},
      {"ranks", ranks},
      {"model", model_json(s.model, e.model)},
      {"warnings", e.warnings},
      {"caveats", e.caveats}};
  if (e.load) {
    const LoadReport& l = *e.load;
    auto load = [](const ExpertLoad& x) {
      return json{{"rows", x.compute}, {"received_tokens", x.receive}, {"dropped", x.dropped}};
    };
    json jl{{"routing", to_string(s.training.routing.popularity)},
            {"redundant_experts", l.redundant_experts},
            {"balancing", to_string(l.balancing)},
            {"steady", load(l.steady)},
            {"start", load(l.start)}};
    if (l.balancing == BalancingMethod::kAuxFree) {
      jl["gamma"] = l.gamma;
      jl["start_imbalance"] = l.start_imbalance;
      jl["steady_imbalance"] = l.steady_imbalance;
      jl["steps_to_5pct"] = l.steps_to_5pct;
      jl["steps_simulated"] = l.steps_simulated;
      jl["steady_reached"] = l.steady_reached;
      jl["run_steps"] = l.run_steps;
      jl["start_step_time_s"] = seconds(l.start_step_time);
      jl["start_memory_bytes"] = bytes(l.start_memory);
      jl["transient_gpu_hours"] = l.transient_gpu_hours;
    }
    if (l.balancing == BalancingMethod::kCapacity) jl["capacity_factor"] = l.capacity_factor;
    j["expert_load"] = jl;
  }
  if (e.analytic_step_time) {
    j["analytic_step_time_s"] = seconds(*e.analytic_step_time);
    j["analytic_breakdown_s"] = breakdown_json(e.analytic_breakdown);
  }
  return j;
}

}  // namespace moesim
