#include "sim/model/eplb.h"

#include <algorithm>
#include <numeric>

#include "sim/core/check.h"

namespace moesim {

namespace {

// Items (by weight) into `bins` bins of `per_bin` items each: heaviest first,
// each onto the lightest bin that has room. Returns the bin of each item.
std::vector<int> balanced_packing(const std::vector<double>& weight, int bins, int per_bin) {
  std::vector<int> order(weight.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return weight[a] > weight[b]; });
  std::vector<double> fill(static_cast<size_t>(bins), 0.0);
  std::vector<int> count(static_cast<size_t>(bins), 0), bin_of(weight.size(), -1);
  for (int i : order) {
    int best = -1;
    for (int b = 0; b < bins; ++b)
      if (count[b] < per_bin && (best < 0 || fill[b] < fill[best])) best = b;
    bin_of[i] = best;
    fill[best] += weight[i];
    ++count[best];
  }
  return bin_of;
}

// Copies for `experts` (indices into load) over `slots` physical slots: one
// each, then one at a time to the highest load per copy.
void replicate(const std::vector<double>& load, const std::vector<int>& experts, int slots,
               std::vector<int>& replicas) {
  for (int e : experts) replicas[e] = 1;
  for (int extra = slots - static_cast<int>(experts.size()); extra > 0; --extra) {
    int best = experts.front();
    for (int e : experts)
      if (load[e] / replicas[e] > load[best] / replicas[best]) best = e;
    ++replicas[best];
  }
}

}  // namespace

std::vector<double> ExpertPlacement::gpu_load(const std::vector<double>& load) const {
  std::vector<double> out;
  for (const auto& list : gpu_experts) {
    double x = 0;
    for (int e : list) x += load[e] / replicas[e];
    out.push_back(x);
  }
  return out;
}

double max_over_mean(const std::vector<double>& l) {
  if (l.empty()) return 1;
  const double total = std::accumulate(l.begin(), l.end(), 0.0);
  if (!(total > 0)) return 1;
  return *std::max_element(l.begin(), l.end()) / (total / l.size());
}

std::vector<std::string> eplb_problems(int experts, int groups, int nodes, int gpus, int redundant) {
  std::vector<std::string> p;
  if (experts <= 0 || groups <= 0 || nodes <= 0 || gpus <= 0 || redundant < 0) {
    p.push_back("experts, groups, nodes and GPUs must be positive, redundant experts >= 0");
    return p;
  }
  if (experts % groups != 0) p.push_back("the expert groups do not divide the experts");
  if (gpus % nodes != 0) p.push_back("the nodes do not divide the GPUs");
  if ((experts + redundant) % gpus != 0)
    p.push_back(std::to_string(experts) + " experts + " + std::to_string(redundant) +
                " redundant = " + std::to_string(experts + redundant) +
                " physical experts do not divide over " + std::to_string(gpus) + " GPUs");
  return p;
}

ExpertPlacement eplb_placement(const std::vector<double>& load, int groups, int nodes, int gpus,
                               int redundant) {
  const int experts = static_cast<int>(load.size());
  MOESIM_CHECK(eplb_problems(experts, groups, nodes, gpus, redundant).empty(),
               "eplb_placement: arguments eplb_problems rejects");
  ExpertPlacement out;
  out.gpus = gpus;
  out.replicas.assign(static_cast<size_t>(experts), 1);
  out.gpu_experts.assign(static_cast<size_t>(gpus), {});
  const int physical = experts + redundant;
  const int per_gpu = physical / gpus;
  out.hierarchical = nodes > 1 && groups % nodes == 0;
  const int domains = out.hierarchical ? nodes : 1;
  const int gpus_per_domain = gpus / domains;
  // (1) Expert groups onto domains (nodes), or everything in one.
  const int per_group = experts / groups;
  std::vector<int> domain_of_group(static_cast<size_t>(groups), 0);
  if (domains > 1) {
    std::vector<double> group_load(static_cast<size_t>(groups), 0.0);
    for (int e = 0; e < experts; ++e) group_load[e / per_group] += load[e];
    domain_of_group = balanced_packing(group_load, domains, groups / domains);
  }
  for (int d = 0; d < domains; ++d) {
    std::vector<int> mine;
    for (int e = 0; e < experts; ++e)
      if (domain_of_group[e / per_group] == d) mine.push_back(e);
    // (2) Copies within the domain.
    replicate(load, mine, physical / domains, out.replicas);
    // (3) Copies onto the domain's GPUs.
    std::vector<int> copy_expert;
    std::vector<double> copy_load;
    for (int e : mine)
      for (int r = 0; r < out.replicas[e]; ++r) {
        copy_expert.push_back(e);
        copy_load.push_back(load[e] / out.replicas[e]);
      }
    const std::vector<int> gpu_of = balanced_packing(copy_load, gpus_per_domain, per_gpu);
    for (size_t c = 0; c < copy_expert.size(); ++c)
      out.gpu_experts[static_cast<size_t>(d * gpus_per_domain + gpu_of[c])].push_back(copy_expert[c]);
  }
  return out;
}

}  // namespace moesim
