#include "sim/sched/generators.h"

#include <string>

#include "sim/core/check.h"
#include "sim/sched/detail/generators.h"

namespace moesim {

namespace {

const char* const kPlanFile = "<plan>";

std::string num(int v) { return std::to_string(v); }

}  // namespace

Diagnostics schedule_input_problems(ScheduleKind kind, int pp, int n, int v) {
  Diagnostics d;
  const std::string name = to_string(kind);
  auto error = [&](const char* path, const std::string& message) {
    d.add(kPlanFile, path, message);
  };
  if (pp < 1) error("/pp", "expected at least 1 pipeline rank, found " + num(pp));
  if (n < 1) error("/micro_batches", "expected at least 1 micro-batch, found " + num(n));
  if (kind == ScheduleKind::kInterleaved1F1B) {
    if (v < 2)
      error("/virtual_stages",
            "interleaved_1f1b needs at least 2 virtual stages per rank, found " + num(v));
  } else if (v != 1) {
    error("/virtual_stages",
          "virtual_stages " + num(v) + " applies to interleaved_1f1b only; " + name + " needs 1");
  }
  if (!d.empty()) return d;

  switch (kind) {
    case ScheduleKind::k1F1B:
    case ScheduleKind::kZb1p:
      if (n < pp)
        error("/micro_batches", name + " needs at least pp = " + num(pp) +
                                    " micro-batches to fill the pipeline, found " + num(n));
      break;
    case ScheduleKind::kInterleaved1F1B:
      if (n % pp != 0)
        error("/micro_batches", "interleaved_1f1b needs a multiple of pp = " + num(pp) +
                                    " micro-batches, found " + num(n));
      break;
    case ScheduleKind::kDualPipe:
      if (pp % 2 != 0)
        error("/schedule",
              "dualpipe needs an even number of pipeline ranks (micro-batches "
              "enter from both ends), found pp = " +
                  num(pp));
      if (n % 2 != 0 || n < 2 * pp)
        error("/micro_batches",
              "dualpipe needs an even number of micro-batches, at least 2 x "
              "pp = " +
                  num(2 * pp) + ", found " + num(n));
      break;
    case ScheduleKind::kDualPipeV:
      if (n < 2 * pp)
        error("/micro_batches", "dualpipev needs at least 2 x pp = " + num(2 * pp) +
                                    " micro-batches, found " + num(n));
      break;
  }
  return d;
}

Schedule make_schedule(const ParallelPlan& plan, int n) {
  return make_schedule(plan.schedule, plan.pp, n, plan.virtual_stages, plan.ep_a2a_overlap);
}

Schedule make_schedule(ScheduleKind kind, int pp, int n, int v, bool pairs) {
  schedule_input_problems(kind, pp, n, v).throw_if_any();
  Schedule s;
  switch (kind) {
    case ScheduleKind::k1F1B:
      s = detail::make_1f1b(pp, n, pairs);
      break;
    case ScheduleKind::kZb1p:
      s = detail::make_zb1p(pp, n);
      break;
    case ScheduleKind::kInterleaved1F1B:
      s = detail::make_interleaved_1f1b(pp, n, v, pairs);
      break;
    case ScheduleKind::kDualPipe:
      s = detail::make_dualpipe(pp, n);
      break;
    case ScheduleKind::kDualPipeV:
      s = detail::make_dualpipev(pp, n);
      break;
  }
  for (std::vector<Instruction>& list : s.per_rank) list.push_back(Instruction::optimizer_step());
  MOESIM_CHECK(schedule_problems(s).empty(),
               std::string(to_string(kind)) + ": " + schedule_problems(s).front());
  return s;
}

}  // namespace moesim
