#pragma once
// Helpers shared by the schedule tests: unit costs, the grid of (schedule, pp,
// micro-batches) cases, and checks of a run that re-derive the dependency rules
// of schedule.h from the timeline alone, independently of the executor.

#include <optional>
#include <string>
#include <vector>

#include "sim/sched/executor.h"
#include "sim/sched/generators.h"

namespace moesim::test {

// Per-chunk costs in seconds; fb unset leaves F&B at its default.
ChunkCosts costs(double f, double b, double w, std::optional<double> fb = std::nullopt);

struct Case {
  ScheduleKind kind;
  int pp;  // pipeline ranks (DualPipeV: ranks, with 2 pp stages)
  int micro_batches;
  int virtual_stages = 1;
};
std::string describe(const Case& c);
// Every schedule on pp in {2, 4, 8, 16} with several valid micro-batch counts
// (the smallest the schedule accepts and larger ones, odd where allowed).
std::vector<Case> all_cases();

// Dependencies a timeline breaks: an instruction that starts before an input
// finished, an input that never ran, overlapping instructions on one rank, or a
// timeline that differs from the rank's list. Empty when all hold.
std::vector<std::string> dependency_violations(const Schedule& s, const ScheduleRun& run);
// Chunks whose F, B or W did not run exactly once (counted from the timeline).
std::vector<std::string> exactly_once_violations(const ScheduleRun& run);

// The README table's bubble for a schedule with `stages` stages and the costs of
// `c` (c.backward_input is B input, the table's B is B + W). Interleaved 1F1B,
// not in the table: (pp-1)(F + B + W) per chunk; pass pp as `stages`.
double table_bubble(ScheduleKind kind, int stages, const ChunkCosts& c);

}  // namespace moesim::test
