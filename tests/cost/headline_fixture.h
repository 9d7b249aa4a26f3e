#pragma once
// The headline scenario built in code (the same values as
// scenarios/deepseek-v3-pretrain-2048xH800.json), so the cost tests do not
// depend on the parser.
#include "sim/hw/gpu_spec.h"
#include "sim/scenario/scenario.h"
#include "tests/model/test_models.h"

namespace moesim::testing {

inline Scenario headline() {
  Scenario s;
  s.name = "DeepSeek-V3 pre-training, 2048 x H800";
  s.model = deepseek_v3();
  s.cluster = default_cluster(*find_gpu("H800"), 256);
  s.plan.pp = 16;
  s.plan.ep = 64;
  s.plan.dp = 128;
  s.plan.tp = 1;
  s.plan.zero_stage = 1;
  s.plan.schedule = ScheduleKind::kDualPipe;
  s.plan.micro_batch_size = 1;
  s.plan.comm_sms = 20;
  s.plan.recompute.norm = true;
  s.plan.recompute.mla_up_proj = true;
  s.plan.recompute.swiglu = true;
  s.precision.kind = PrecisionKind::kFp8;
  s.precision.fp8_dispatch = true;
  s.precision.optimizer_state_bytes = 2;
  TrainingPhase p;
  p.name = "pre-training";
  p.tokens = 14.8e12;
  p.seq_len = 4096;
  p.batch.sequences = 15360;
  p.batch.ramp_from = 3072;
  p.batch.ramp_tokens = 469e9;
  s.training.phases = {p};
  s.training.price_per_gpu_hour_usd = 2.0;
  return s;
}

}  // namespace moesim::testing
