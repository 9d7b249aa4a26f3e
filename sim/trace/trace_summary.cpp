#include "sim/trace/trace_summary.h"

#include <algorithm>

namespace moesim {

namespace {

using Interval = std::pair<double, double>;

// Sorted, merged intervals.
std::vector<Interval> merged(std::vector<Interval> v) {
  std::sort(v.begin(), v.end());
  std::vector<Interval> out;
  for (const Interval& x : v) {
    if (!out.empty() && x.first <= out.back().second)
      out.back().second = std::max(out.back().second, x.second);
    else
      out.push_back(x);
  }
  return out;
}

double length(const std::vector<Interval>& m) {
  double s = 0;
  for (const Interval& x : m) s += x.second - x.first;
  return s;
}

// Length of [a, b] covered by the merged intervals m.
double overlap(const std::vector<Interval>& m, double a, double b) {
  auto it = std::lower_bound(m.begin(), m.end(), Interval{a, a},
                             [](const Interval& p, const Interval& q) { return p.second < q.first; });
  double s = 0;
  for (; it != m.end() && it->first < b; ++it) s += std::max(0.0, std::min(b, it->second) - std::max(a, it->first));
  return s;
}

}  // namespace

const StageSummary* TraceSummary::stage(const std::string& name) const {
  for (const StageSummary& s : stages)
    if (s.name == name) return &s;
  return nullptr;
}

TraceSummary summarize_trace(const KernelTrace& t, const KernelMap& map) {
  TraceSummary out;
  out.file = t.file;
  out.device = t.device;
  out.date = t.date;
  out.rank = t.rank;
  out.world_size = t.world_size;
  std::vector<KernelClass> cls(t.kernels.size());
  std::vector<Interval> comm, compute;
  std::map<std::string, size_t> unknown_at;
  double first = t.kernels.front().start_us, last = 0;
  for (size_t i = 0; i < t.kernels.size(); ++i) {
    const TraceKernel& k = t.kernels[i];
    cls[i] = map.classify(k.name);
    first = std::min(first, k.start_us);
    last = std::max(last, k.end_us());
    if (std::find(out.streams.begin(), out.streams.end(), k.stream) == out.streams.end())
      out.streams.push_back(k.stream);
    if (cls[i] == KernelClass::kUnknown) {
      auto [it, fresh] = unknown_at.emplace(k.name, out.unknown.size());
      if (fresh) out.unknown.push_back({k.name, 0, 0});
      out.unknown[it->second].count++;
      out.unknown[it->second].us += k.dur_us;
    }
    if (cls[i] == KernelClass::kIgnore) continue;
    (is_communication(cls[i]) ? comm : compute).push_back({k.start_us, k.end_us()});
  }
  std::sort(out.streams.begin(), out.streams.end());
  const std::vector<Interval> comm_m = merged(comm);
  out.comm_busy_us = length(comm_m);
  out.compute_busy_us = length(merged(compute));
  out.span_us = last - first;
  out.kernels = static_cast<int>(t.kernels.size());

  // Kernels per (annotation instance, class), to take unions per instance.
  std::map<int, size_t> stage_of_name;  // annotation index -> stage slot
  std::map<std::pair<int, KernelClass>, std::vector<Interval>> per_instance;
  std::map<int, std::vector<Interval>> instance_all;
  for (size_t i = 0; i < t.kernels.size(); ++i) {
    const TraceKernel& k = t.kernels[i];
    const double shared = is_communication(cls[i]) ? 0 : overlap(comm_m, k.start_us, k.end_us());
    ClassTime& total = out.totals[cls[i]];
    total.kernels++;
    total.kernel_us += k.dur_us;
    total.comm_overlap_us += shared;
    int instance = -1;
    const StageRule* rule = nullptr;
    for (int a : k.annotations)
      if ((rule = map.stage(t.annotations[static_cast<size_t>(a)].name))) {
        instance = a;
        break;
      }
    if (!rule) {
      if (cls[i] != KernelClass::kUnknown) {
        out.kernels_outside_stages++;
        out.outside_stages_us += k.dur_us;
      }
      continue;
    }
    const std::string& name = t.annotations[static_cast<size_t>(instance)].name;
    size_t slot = out.stages.size();
    for (size_t s = 0; s < out.stages.size(); ++s)
      if (out.stages[s].name == name) slot = s;
    if (slot == out.stages.size()) {
      StageSummary st;
      st.name = name;
      st.block = rule->block;
      st.pass = rule->pass;
      out.stages.push_back(st);
    }
    stage_of_name[instance] = slot;
    ClassTime& c = out.stages[slot].classes[cls[i]];
    c.kernels++;
    c.kernel_us += k.dur_us;
    c.comm_overlap_us += shared;
    per_instance[{instance, cls[i]}].push_back({k.start_us, k.end_us()});
    instance_all[instance].push_back({k.start_us, k.end_us()});
  }
  for (const auto& [key, v] : per_instance)
    out.stages[stage_of_name[key.first]].classes[key.second].busy_us += length(merged(v));
  for (const auto& [instance, v] : instance_all) {
    StageSummary& st = out.stages[stage_of_name[instance]];
    st.instances++;
    st.busy_us += length(merged(v));
  }
  for (auto& [c, total] : out.totals) {
    std::vector<Interval> v;
    for (size_t i = 0; i < t.kernels.size(); ++i)
      if (cls[i] == c) v.push_back({t.kernels[i].start_us, t.kernels[i].end_us()});
    total.busy_us = length(merged(v));
  }
  return out;
}

}  // namespace moesim
