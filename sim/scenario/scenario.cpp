#include "sim/scenario/scenario.h"

namespace moesim {

bool RecomputeSpec::operator==(const RecomputeSpec& o) const {
  return norm == o.norm && mla_up_proj == o.mla_up_proj && swiglu == o.swiglu && full == o.full &&
         layers == o.layers;
}

bool ParallelPlan::operator==(const ParallelPlan& o) const {
  return pp == o.pp && ep == o.ep && dp == o.dp && tp == o.tp && etp == o.etp &&
         zero_stage == o.zero_stage &&
         schedule == o.schedule && virtual_stages == o.virtual_stages &&
         cp == o.cp && cp_kind == o.cp_kind && micro_batch_size == o.micro_batch_size &&
         micro_batches == o.micro_batches &&
         stage_layers == o.stage_layers && comm_sms == o.comm_sms &&
         redundant_experts == o.redundant_experts && recompute == o.recompute &&
         ep_a2a_overlap == o.ep_a2a_overlap && shared_expert_overlap == o.shared_expert_overlap &&
         reshard_after_forward == o.reshard_after_forward && tp_comm_overlap == o.tp_comm_overlap;
}

bool PrecisionSpec::operator==(const PrecisionSpec& o) const {
  return kind == o.kind && fp8_dispatch == o.fp8_dispatch &&
         master_weight_bytes == o.master_weight_bytes && grad_bytes == o.grad_bytes &&
         optimizer_state_bytes == o.optimizer_state_bytes;
}

bool BatchSchedule::operator==(const BatchSchedule& o) const {
  return sequences == o.sequences && ramp_from == o.ramp_from && ramp_tokens == o.ramp_tokens;
}

bool TrainingPhase::operator==(const TrainingPhase& o) const {
  return name == o.name && kind == o.kind && tokens == o.tokens && steps == o.steps &&
         seq_len == o.seq_len && prompt_len == o.prompt_len && batch == o.batch && plan == o.plan;
}

bool TrainingSpec::operator==(const TrainingSpec& o) const {
  return phases == o.phases && price_per_gpu_hour_usd == o.price_per_gpu_hour_usd &&
         routing == o.routing && balancing == o.balancing;
}

bool Scenario::operator==(const Scenario& o) const {
  return name == o.name && description == o.description && model == o.model &&
         cluster == o.cluster && plan == o.plan && precision == o.precision &&
         training == o.training;
}

const ParallelPlan& phase_plan(const Scenario& s, size_t i) {
  const auto& own = s.training.phases.at(i).plan;
  return own ? *own : s.plan;
}

Scenario phase_scenario(const Scenario& s, size_t i) {
  Scenario out = s;
  out.plan = phase_plan(s, i);
  return out;
}

// These strings are the values of "schedule" and "kind" in scenario files
// (docs/scenario-format.md). DO NOT CHANGE THEM: checked-in scenarios use them.
const char* to_string(ScheduleKind s) {
  switch (s) {
    case ScheduleKind::k1F1B:
      return "1f1b";
    case ScheduleKind::kInterleaved1F1B:
      return "interleaved_1f1b";
    case ScheduleKind::kZb1p:
      return "zb1p";
    case ScheduleKind::kDualPipe:
      return "dualpipe";
    case ScheduleKind::kDualPipeV:
      return "dualpipev";
  }
  return "?";
}

// The values of "cp_kind" in scenario files. DO NOT CHANGE THEM.
const char* to_string(CpKind k) {
  switch (k) {
    case CpKind::kAllGather: return "all_gather";
    case CpKind::kRing: return "ring";
    case CpKind::kAllGatherLatent: return "all_gather_latent";
  }
  return "?";
}

// The values of a phase's "kind" in scenario files. DO NOT CHANGE THEM.
const char* to_string(PhaseKind k) {
  return k == PhaseKind::kGeneration ? "generation" : "training";
}

const char* to_string(PrecisionKind p) { return p == PrecisionKind::kFp8 ? "fp8" : "bf16"; }

std::vector<std::string> schedule_names() {
  std::vector<std::string> names;
  for (ScheduleKind s : {ScheduleKind::k1F1B, ScheduleKind::kInterleaved1F1B, ScheduleKind::kZb1p,
                         ScheduleKind::kDualPipe, ScheduleKind::kDualPipeV})
    names.push_back(to_string(s));
  return names;
}

}  // namespace moesim
