// The plan against each training phase's batch: every DP rank runs a whole
// number N = global_batch / (dp x micro_batch_size) of micro-batches per step,
// and the pipeline schedule needs enough of them to fill (and, for the
// bidirectional schedules, pair up) its stages:
//   1f1b, zb1p        N >= pp
//   interleaved_1f1b  N % pp == 0            (Megatron-LM's interleaved schedule)
//   dualpipe          N even, N >= 2 pp      (V3TR §3.2.1: micro-batches fed from both ends)
//   dualpipev         N >= 2 pp              (2 pp stages on pp ranks)
// Only the full batch is checked: a ramp may start below the schedule's
// minimum (the cost model warns about those steps), but not below one
// micro-batch per DP rank.
#include "sim/scenario/detail/plan_checks.h"

namespace moesim::detail {

namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

constexpr std::int64_t kMaxMicroBatchTokens = std::int64_t{1} << 24;

// The first schedule rule that N breaks, or "".
std::string schedule_problem(ScheduleKind s, std::int64_t pp, std::int64_t n) {
  switch (s) {
    case ScheduleKind::k1F1B:
    case ScheduleKind::kZb1p:
      if (n < pp)
        return std::string(to_string(s)) + " needs at least pp = " + num(pp) +
               " micro-batches per DP rank per step to fill the pipeline";
      break;
    case ScheduleKind::kInterleaved1F1B:
      if (n % pp != 0)
        return "interleaved_1f1b needs the micro-batches per DP rank per step to be a "
               "multiple of pp = " +
               num(pp);
      break;
    case ScheduleKind::kDualPipe:
      if (n % 2 != 0 || n < 2 * pp)
        return "dualpipe needs an even number of micro-batches per DP rank per step, at "
               "least 2 x pp = " +
               num(2 * pp);
      break;
    case ScheduleKind::kDualPipeV:
      if (n < 2 * pp)
        return "dualpipev needs at least 2 x pp = " + num(2 * pp) +
               " micro-batches per DP rank per step";
      break;
  }
  return "";
}

}  // namespace

void check_phase_batch(const ParallelPlan& p, const TrainingPhase& ph, const JsonLocation& here,
                       const JsonLocation& plan, ParseLog& log) {
  const std::int64_t unit = product({p.dp, p.micro_batch_size});  // sequences per micro-step
  const std::string unit_text =
      "dp " + num(p.dp) + " x micro_batch_size " + num(p.micro_batch_size) + " = " + num(unit);
  const std::int64_t seqs = ph.batch.sequences;
  if (seqs < 1) {
    log.error(here / "global_batch", "expected a positive integer, found " + num(seqs));
    return;
  }
  if (p.micro_batches && seqs != product({*p.micro_batches, unit})) {
    log.error(here / "global_batch",
              "global_batch " + num(seqs) + " disagrees with the plan: micro_batches " +
                  num(*p.micro_batches) + " x dp " + num(p.dp) + " x micro_batch_size " +
                  num(p.micro_batch_size) + " = " + num(product({*p.micro_batches, unit})) +
                  " sequences (give one or the other)",
              {plan / "micro_batches", plan / "dp", plan / "micro_batch_size"});
    return;
  }
  if (seqs < unit) {
    log.error(here / "global_batch", "global_batch " + num(seqs) + " is smaller than " +
                                         unit_text +
                                         ": each DP rank needs at least one micro-batch",
              {plan / "dp", plan / "micro_batch_size"});
    return;
  }
  if (seqs % unit != 0) {
    log.error(here / "global_batch",
              "global_batch " + num(seqs) + " is not a multiple of " + unit_text +
                  ": each DP rank runs a whole number of micro-batches per step",
              {plan / "dp", plan / "micro_batch_size"});
    return;
  }
  const std::int64_t n = seqs / unit;
  // The schedule is built and executed instruction by instruction: bounded
  // so a typo cannot take the memory (V3 runs 120 per DP rank).
  constexpr std::int64_t kMaxMicroBatches = 16384;
  if (n > kMaxMicroBatches) {
    log.error(here / "global_batch",
              "global_batch " + num(seqs) + " / (" + unit_text + ") = " + num(n) +
                  " micro-batches per DP rank per step, over the supported " +
                  num(kMaxMicroBatches) + "; raise dp or micro_batch_size",
              {plan / "dp", plan / "micro_batch_size"});
    return;
  }
  if (product({p.micro_batch_size, ph.seq_len}) > kMaxMicroBatchTokens) {
    log.error(here / "seq_len",
              "micro_batch_size " + num(p.micro_batch_size) + " x seq_len " + num(ph.seq_len) +
                  " = " + num(product({p.micro_batch_size, ph.seq_len})) +
                  " tokens per micro-batch, over the supported " + num(kMaxMicroBatchTokens) +
                  " (2^24; above any published context: Llama 4 Scout's is 10M)",
              {plan / "micro_batch_size"});
    return;
  }
  // Load-balanced causal chunks: 2 cp of them per sequence, equal in length.
  if (p.cp > 1 && ph.seq_len % (2 * p.cp) != 0)
    log.error(plan / "cp", "cp " + num(p.cp) + " cuts each sequence into 2 x cp = " +
                               num(2 * p.cp) + " equal chunks, which phase \"" + ph.name +
                               "\"'s seq_len " + num(ph.seq_len) + " does not divide into",
              {here / "seq_len"});
  // Sequence parallelism: a TP group's tokens split evenly over its GPUs.
  else if (p.tp > 1 && product({p.micro_batch_size, ph.seq_len / p.cp}) % p.tp != 0)
    log.error(plan / "tp", "tp " + num(p.tp) + " splits each GPU's " +
                               num(product({p.micro_batch_size, ph.seq_len / p.cp})) +
                               " tokens of a micro-batch (sequence parallel) in phase \"" +
                               ph.name + "\", which it does not divide",
              {plan / "cp", plan / "micro_batch_size", here / "seq_len"});
  const std::string problem = schedule_problem(p.schedule, p.pp, n);
  if (!problem.empty())
    log.error(plan / "schedule", problem + "; phase \"" + ph.name + "\" has N = global_batch " +
                                     num(seqs) + " / (" + unit_text + ") = " + num(n),
              {plan / "pp", here / "global_batch", plan / "dp", plan / "micro_batch_size"});
  const std::int64_t from = ph.batch.ramp_from;
  if (from > 0 && from < unit)
    log.error(here / "batch_ramp" / "from", "the ramp starts at " + num(from) +
                                                " sequences, below " + unit_text +
                                                " (one micro-batch per DP rank)",
              {plan / "dp", plan / "micro_batch_size"});
  else if (from > 0 && from >= seqs)
    log.error(here / "batch_ramp" / "from",
              "the ramp must start below the phase's "
              "global_batch " +
                  num(seqs) + ", found " + num(from));
}

void check_generation_batch(const ParallelPlan& p, const TrainingPhase& ph,
                            const JsonLocation& here, const JsonLocation& plan, ParseLog& log) {
  if (p.cp > 1)
    log.error(plan / "cp", "cp " + num(p.cp) +
                               ": a generation phase advances each sequence one token an "
                               "iteration; context parallelism does not apply (give the "
                               "phase's plan cp 1 and the GPUs to dp)");
  const std::int64_t seqs = ph.batch.sequences;
  if (seqs < p.dp)
    log.error(here / "global_batch",
              "global_batch " + num(seqs) + " is smaller than dp = " + num(p.dp) +
                  " model replicas: each decodes at least one sequence at once",
              {plan / "dp"});
}

}  // namespace moesim::detail
