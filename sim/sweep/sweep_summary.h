#pragma once
// What a finished sweep found: counts by status, the best feasible points by
// the objective, and the Pareto front of cost against wall-clock time (points
// no other feasible point beats on both).

#include <map>
#include <string>
#include <tuple>
#include <utility>
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

// select_rows() over rows seen one at a time, in any order, holding only the
// rows that are (so far) among the best or on the Pareto front: what a sweep
// of millions of points keeps in memory. summary() equals summarize_sweep()
// over the same rows.
class SweepTracker {
 public:
  SweepTracker(std::string objective, int top) : objective_(std::move(objective)), top_(top) {}
  // `line`: the row as its JSON line (kept only for best and front rows).
  void add(const SweepRow& r, const std::string& line);
  SweepSummary summary() const;
  size_t total() const { return total_; }

 private:
  struct Kept {
    RowRank rank;
    std::string line;
  };
  std::string objective_;
  int top_ = 10;
  size_t total_ = 0, ok_ = 0, rejected_ = 0, invalid_ = 0;
  std::map<std::pair<double, uint64_t>, Kept> best_;  // (objective, index), at most top_
  // (wall time, cost, index): costs fall strictly along it.
  std::map<std::tuple<double, double, uint64_t>, Kept> front_;
};

}  // namespace moesim
