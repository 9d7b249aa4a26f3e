#include "sim/sweep/sweep_summary.h"

#include <algorithm>
#include <sstream>

#include "sim/report/format_units.h"

namespace moesim {

RowRank RowRank::of(const SweepRow& r, const std::string& objective) {
  RowRank k;
  k.index = r.index;
  k.status = r.fields.value("status", "");
  k.feasible = k.status == "ok";
  k.objective = r.fields.value(objective, 0.0);
  k.wall_time_s = r.fields.value("wall_time_s", 0.0);
  k.cost_usd = r.fields.value("cost_usd", 0.0);
  return k;
}

SweepSelection select_rows(const std::vector<RowRank>& ranks, int top) {
  SweepSelection s;
  s.total = ranks.size();
  std::vector<size_t> ok;
  for (size_t i = 0; i < ranks.size(); ++i) {
    const auto& r = ranks[i];
    if (r.feasible) {
      ++s.ok;
      ok.push_back(i);
    } else if (r.status == "rejected") {
      ++s.rejected;
    } else {
      ++s.invalid;
    }
  }
  std::vector<size_t> by_obj = ok;
  std::stable_sort(by_obj.begin(), by_obj.end(), [&](size_t a, size_t b) {
    const RowRank &x = ranks[a], &y = ranks[b];
    return x.objective != y.objective ? x.objective < y.objective : x.index < y.index;
  });
  if (static_cast<int>(by_obj.size()) > top) by_obj.resize(static_cast<size_t>(top));
  s.best = by_obj;
  std::vector<size_t> by_time = ok;
  std::stable_sort(by_time.begin(), by_time.end(), [&](size_t a, size_t b) {
    const RowRank &x = ranks[a], &y = ranks[b];
    if (x.wall_time_s != y.wall_time_s) return x.wall_time_s < y.wall_time_s;
    return x.cost_usd != y.cost_usd ? x.cost_usd < y.cost_usd : x.index < y.index;
  });
  double best_cost = 0;
  for (size_t i : by_time) {
    if (s.pareto.empty() || ranks[i].cost_usd < best_cost) {
      s.pareto.push_back(i);
      best_cost = ranks[i].cost_usd;
    }
  }
  return s;
}

SweepSummary summarize_sweep(const std::vector<SweepRow>& rows, const std::string& objective,
                             int top) {
  std::vector<RowRank> ranks;
  ranks.reserve(rows.size());
  for (const auto& r : rows) ranks.push_back(RowRank::of(r, objective));
  const SweepSelection sel = select_rows(ranks, top);
  SweepSummary s;
  s.total = sel.total;
  s.ok = sel.ok;
  s.rejected = sel.rejected;
  s.invalid = sel.invalid;
  s.objective = objective;
  for (size_t i : sel.best) s.best.push_back(rows[i]);
  for (size_t i : sel.pareto) s.pareto.push_back(rows[i]);
  return s;
}

void SweepTracker::add(const SweepRow& r, const std::string& line) {
  const RowRank k = RowRank::of(r, objective_);
  ++total_;
  if (!k.feasible) {
    ++(k.status == "rejected" ? rejected_ : invalid_);
    return;
  }
  ++ok_;
  const auto bkey = std::make_pair(k.objective, k.index);
  if (top_ > 0 && (static_cast<int>(best_.size()) < top_ || bkey < std::prev(best_.end())->first)) {
    best_.emplace(bkey, Kept{k, line});
    if (static_cast<int>(best_.size()) > top_) best_.erase(std::prev(best_.end()));
  }
  // The front in (wall time, cost, index) order keeps a point only when its
  // cost is below every earlier point's: the one just before it in the front
  // has the lowest cost of all earlier points.
  const auto fkey = std::make_tuple(k.wall_time_s, k.cost_usd, k.index);
  auto it = front_.lower_bound(fkey);
  if (it != front_.begin() && std::prev(it)->second.rank.cost_usd <= k.cost_usd) return;
  it = front_.emplace_hint(it, fkey, Kept{k, line});
  for (auto next = std::next(it); next != front_.end() && next->second.rank.cost_usd >= k.cost_usd;)
    next = front_.erase(next);
}

SweepSummary SweepTracker::summary() const {
  SweepSummary s;
  s.total = total_;
  s.ok = ok_;
  s.rejected = rejected_;
  s.invalid = invalid_;
  s.objective = objective_;
  auto row = [](const Kept& k) {
    SweepRow r;
    r.index = k.rank.index;
    r.fields = nlohmann::json::parse(k.line);
    return r;
  };
  for (const auto& [key, k] : best_) s.best.push_back(row(k));
  for (const auto& [key, k] : front_) s.pareto.push_back(row(k));
  return s;
}

namespace {
std::string row_line(const SweepRow& r, const std::vector<std::string>& params) {
  std::ostringstream o;
  o << "| " << r.index;
  for (const auto& p : params) {
    auto it = r.fields.find(p);
    o << " | " << (it == r.fields.end() ? "" : it->is_string() ? it->get<std::string>() : it->dump());
  }
  o << " | " << r.fields.value("num_gpus", 0) << " | "
    << fmt_seconds(r.fields.value("step_time_s", 0.0)) << " | "
    << fmt_percent(r.fields.value("mfu", 0.0)) << " | "
    << fmt_seconds(r.fields.value("wall_time_s", 0.0)) << " | "
    << fmt_si(r.fields.value("gpu_hours", 0.0)) << " | "
    << fmt_usd(r.fields.value("cost_usd", 0.0)) << " |\n";
  return o.str();
}

std::string table(const std::vector<SweepRow>& rows, const std::vector<std::string>& params) {
  std::ostringstream o;
  o << "| index";
  for (const auto& p : params) o << " | " << p;
  o << " | GPUs | step | MFU | wall time | GPU-hours | cost |\n|---";
  for (size_t i = 0; i < params.size() + 6; ++i) o << "|---";
  o << "|\n";
  for (const auto& r : rows) o << row_line(r, params);
  return o.str();
}
}  // namespace

std::string render_sweep_summary(const SweepSummary& s, const std::vector<std::string>& params) {
  std::ostringstream o;
  o << "# Sweep summary\n\n"
    << s.total << " scenarios: " << s.ok << " feasible, " << s.rejected
    << " rejected by constraints, " << s.invalid << " invalid plans.\n\n";
  o << "## Best by " << s.objective << "\n\n";
  if (s.best.empty())
    o << "No feasible scenario.\n";
  else
    o << table(s.best, params);
  o << "\n## Pareto front: cost against wall-clock time\n\n";
  if (s.pareto.empty())
    o << "No feasible scenario.\n";
  else
    o << table(s.pareto, params);
  return o.str();
}

}  // namespace moesim
