#pragma once
// What a finished sweep found: counts by status, the best feasible points by
// the objective, and the Pareto front of cost against wall-clock time (points
// no other feasible point beats on both).

#include <string>
#include <vector>

#include "sim/sweep/sweep_row.h"

namespace moesim {

struct SweepSummary {
  size_t total = 0, ok = 0, rejected = 0, invalid = 0;
  std::string objective;       // column minimised
  std::vector<SweepRow> best;  // by objective, then index
  std::vector<SweepRow> pareto;  // by wall time ascending
};

SweepSummary summarize_sweep(const std::vector<SweepRow>& rows, const std::string& objective,
                             int top);

// The figures the summary ranks by, kept per row so that large sweeps need not
// hold whole rows in memory.
struct RowRank {
  uint64_t index = 0;
  bool feasible = false;
  std::string status;
  double objective = 0, wall_time_s = 0, cost_usd = 0;
  static RowRank of(const SweepRow& r, const std::string& objective);
};

// Which rows make the best list and the Pareto front (indices into `ranks`),
// with counts by status; `rows` of the result stay empty.
struct SweepSelection {
  size_t total = 0, ok = 0, rejected = 0, invalid = 0;
  std::vector<size_t> best, pareto;
};
SweepSelection select_rows(const std::vector<RowRank>& ranks, int top);
// Markdown, with the varied parameters as columns.
std::string render_sweep_summary(const SweepSummary& s, const std::vector<std::string>& params);

}  // namespace moesim
