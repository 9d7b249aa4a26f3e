// The plan and precision parts (docs/scenario-format.md, "plan", "precision").
// Only single-value rules are checked here; how the plan fits the model,
// cluster and batch sizes is plan_checks.cpp's work.
#include "sim/scenario/detail/parts.h"

#include <climits>

#include "sim/scenario/detail/plan_checks.h"

namespace moesim::detail {

namespace {

const auto kSchedules =
    name_table({ScheduleKind::k1F1B, ScheduleKind::kInterleaved1F1B, ScheduleKind::kZb1p,
                ScheduleKind::kDualPipe, ScheduleKind::kDualPipeV});
const auto kPrecisions = name_table({PrecisionKind::kFp8, PrecisionKind::kBf16});
const auto kCpKinds = name_table({CpKind::kAllGather, CpKind::kRing, CpKind::kAllGatherLatent});

constexpr IntRule kZeroStage{0, 3, "an integer in 0..3 (ZeRO stage)"};
constexpr IntRule kValueBytes{1, 8, "1, 2, 4 or 8 (bytes per value)"};

RecomputeSpec read_recompute(const json& j, const JsonLocation& at, ParseLog& log) {
  RecomputeSpec rc;
  ObjectReader r(j, at, log, "the recompute switches");
  if (!r.valid()) return rc;
  r.read("norm", rc.norm);
  r.read("mla_up_proj", rc.mla_up_proj);
  r.read("swiglu", rc.swiglu);
  r.read("full", rc.full);
  r.read("layers", rc.layers, kNonNegativeInt);
  r.finish();
  return rc;
}

std::vector<int> read_stage_layers(const json& j, const JsonLocation& at, ParseLog& log) {
  std::vector<int> layers;
  if (!j.is_array()) {
    log.bad_value(at,
                  "expected an array of non-negative integers (layers per pipeline stage), "
                  "found " +
                      describe(j));
    return layers;
  }
  for (size_t i = 0; i < j.size(); ++i) {
    const auto n = read_int(j[i], at / i, kNonNegativeInt, log);
    layers.push_back(n.value_or(0));
  }
  return layers;
}

// Byte widths are 1, 2, 4 or 8 (FP8/INT8, BF16, FP32, FP64).
void read_value_bytes(ObjectReader& r, const std::string& key, int& out) {
  int n = out;
  if (!r.read(key, n, kValueBytes)) return;
  if (n == 1 || n == 2 || n == 4 || n == 8)
    out = n;
  else
    r.log().bad_value(r.where() / key, std::string("expected ") + kValueBytes.expected +
                                           ", found " + std::to_string(n));
}

}  // namespace

ParallelPlan parse_plan(const json& j, const JsonLocation& at, ParseLog& log) {
  ParallelPlan p;
  ObjectReader r(j, at, log, "the parallel plan");
  if (!r.valid()) return p;
  r.read("pp", p.pp, kPositiveInt, kRequired);
  r.read("ep", p.ep, kPositiveInt);
  r.read("dp", p.dp, kPositiveInt, kRequired);
  r.read("tp", p.tp, kPositiveInt);
  r.read("etp", p.etp, kPositiveInt);
  r.read("cp", p.cp, kPositiveInt);
  r.read_enum("cp_kind", p.cp_kind, kCpKinds);
  r.read("zero_stage", p.zero_stage, kZeroStage);
  r.read_enum("schedule", p.schedule, kSchedules);
  r.read("virtual_stages", p.virtual_stages, kPositiveInt);
  r.read("micro_batch_size", p.micro_batch_size, kPositiveInt);
  int n = 0;
  if (r.read("micro_batches", n, kPositiveInt)) p.micro_batches = n;
  if (const json* s = r.get("stage_layers", kOptional, "an array"))
    p.stage_layers = read_stage_layers(*s, at / "stage_layers", log);
  r.read("comm_sms", p.comm_sms, kNonNegativeInt);
  r.read("redundant_experts", p.redundant_experts, kNonNegativeInt);
  if (const json* rc = r.get("recompute", kOptional, "an object"))
    p.recompute = read_recompute(*rc, at / "recompute", log);
  r.read("ep_a2a_overlap", p.ep_a2a_overlap);
  r.read("shared_expert_overlap", p.shared_expert_overlap);
  r.read("reshard_after_forward", p.reshard_after_forward);
  r.read("tp_comm_overlap", p.tp_comm_overlap);
  r.finish();
  return p;
}

std::optional<int> plan_global_batch(const ParallelPlan& p, const JsonLocation& at, ParseLog& log) {
  if (!p.micro_batches) return std::nullopt;
  const std::int64_t g = product({*p.micro_batches, p.dp, p.micro_batch_size});
  if (g <= INT_MAX) return static_cast<int>(g);
  log.error(at / "micro_batches", "micro_batches x dp x micro_batch_size = " + std::to_string(g) +
                                      " sequences per step is beyond the supported " +
                                      std::to_string(INT_MAX));
  return std::nullopt;
}

PrecisionSpec parse_precision(const json& j, const JsonLocation& at, ParseLog& log) {
  PrecisionSpec p;
  ObjectReader r(j, at, log, "the precision recipe");
  if (!r.valid()) return p;
  r.read_enum("kind", p.kind, kPrecisions, kRequired);
  r.read("fp8_dispatch", p.fp8_dispatch);
  read_value_bytes(r, "master_weight_bytes", p.master_weight_bytes);
  read_value_bytes(r, "grad_bytes", p.grad_bytes);
  read_value_bytes(r, "optimizer_state_bytes", p.optimizer_state_bytes);
  r.finish();
  return p;
}

}  // namespace moesim::detail
