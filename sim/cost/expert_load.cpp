#include "sim/cost/expert_load.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>

#include "sim/cost/phase_time.h"
#include "sim/model/eplb.h"

namespace moesim {

namespace {

bool skewed(const RoutingSpec& r) { return r.popularity != ExpertPopularity::kUniform; }

// Routing samples at most kMaxSampledTokens tokens per rank; a larger
// micro-batch's counts are the sample's scaled up (its shares have converged
// long before: the sampling noise of 16K tokens per rank is under 1% of a
// rank's rows), so time stays bounded up to the 2^24-token micro-batches the
// checks allow.
constexpr int kMaxSampledTokens = 16384;

EpTraffic route_sampled(const Scenario& s, const RoutingSpec& r, int tokens) {
  const int n = std::min(tokens, kMaxSampledTokens);
  EpTraffic t = route_tokens(s.model.moe, s.plan.ep, s.cluster.gpus_per_node, n, r);
  if (n == tokens) return t;
  const double k = static_cast<double>(tokens) / n;
  for (auto* v : {&t.rank_tokens, &t.node_tokens, &t.expert_tokens})
    for (int64_t& c : *v) c = std::llround(static_cast<double>(c) * k);
  t.tokens_per_rank = tokens;
  return t;
}

// The popularity the bias dynamics start from, each weight at least 1e-9 of
// the largest (the Gumbel model gives an expert of weight 0 no affinity a bias
// could lift: stated floor).
std::vector<double> balancing_popularity(const Scenario& s) {
  std::vector<double> p = expert_popularity(s.training.routing, s.model.moe.num_routed_experts);
  const double top = *std::max_element(p.begin(), p.end());
  for (double& w : p) w = std::max(w, 1e-9 * top);
  return p;
}

// Rows and received tokens of the busiest rank of `t` against the mean of
// `before` (the traffic before dropping; the same traffic when nothing was).
ExpertLoad load_against(const EpTraffic& t, const EpTraffic& before, int experts) {
  ExpertLoad l = expert_load(t, experts);
  auto sum = [](const std::vector<int64_t>& v) {
    return static_cast<double>(std::accumulate(v.begin(), v.end(), int64_t{0}));
  };
  const double rows0 = sum(before.expert_tokens), recv0 = sum(before.rank_tokens);
  if (rows0 > 0) l.compute *= sum(t.expert_tokens) / rows0;
  if (recv0 > 0) l.receive *= sum(t.rank_tokens) / recv0;
  return l;
}

// EPLB's copies (plan.redundant_experts) placed on per-expert `load` (as EPLB
// runs on measured loads): the busiest GPU's rows become its copies' shares;
// the received tokens are taken to follow the rows.
void with_copies(const Scenario& s, const std::vector<double>& load, ExpertLoad& l) {
  const int nodes = std::max(1, s.plan.ep / std::max(1, s.cluster.gpus_per_node));
  const ExpertPlacement p = eplb_placement(load, std::max(1, s.model.moe.num_expert_groups), nodes,
                                           s.plan.ep, s.plan.redundant_experts);
  const std::vector<double> per_gpu = p.gpu_load(load);
  const double rows = max_over_mean(per_gpu);
  l.receive = l.receive * rows / l.compute;
  l.compute = rows;
  l.busiest_rank =
      static_cast<int>(std::max_element(per_gpu.begin(), per_gpu.end()) - per_gpu.begin());
}

// Measured per-layer counts: each layer's load as measured (measured_load;
// with redundant experts, EPLB places that layer's copies on its counts, as
// EPLB places per layer), averaged over the MoE layers. The MoE layer is
// priced once at that mean: exact where its time is linear in the rows and
// received tokens, which the expert GEMMs and EP calls nearly are.
ExpertLoad measured_layers_load(const Scenario& s, const RoutingSpec& r, bool capacity) {
  const MoeSpec& moe = s.model.moe;
  const int redundant = s.plan.redundant_experts;
  const double cf = capacity ? s.training.balancing.capacity_factor : 0.0;
  ExpertLoad mean;
  mean.compute = mean.receive = 0;
  double heaviest = -1;
  for (const std::vector<double>& counts : r.layer_loads) {
    ExpertLoad l = measured_load(counts, s.plan.ep, moe.top_k, cf);
    if (redundant > 0) with_copies(s, counts, l);
    const double k = 1.0 / static_cast<double>(r.layer_loads.size());
    mean.compute += l.compute * k;
    mean.receive += l.receive * k;
    mean.dropped += l.dropped * k;
    if (l.compute > heaviest) {
      heaviest = l.compute;
      mean.busiest_rank = l.busiest_rank;
    }
  }
  return mean;
}

// The load of routing `r` under s's plan, capacity dropping when `capacity`,
// EPLB's copies when the plan has them. Cached.
ExpertLoad load_of(const Scenario& s, const RoutingSpec& r, int tokens, bool capacity) {
  const MoeSpec& moe = s.model.moe;
  const int redundant = s.plan.redundant_experts;
  const double cf = s.training.balancing.capacity_factor;
  if (!moe.enabled() || s.plan.ep <= 1) return {};
  if (!skewed(r) && redundant == 0) {
    // Exactly balanced: every expert holds the mean, which a capacity under 1 cuts.
    ExpertLoad l;
    if (capacity && cf < 1) l.compute = l.receive = cf, l.dropped = 1 - cf;
    return l;
  }
  std::ostringstream key;
  key.precision(17);
  key << static_cast<int>(r.popularity) << ' ' << r.zipf_exponent << ' ' << r.seed << ' '
      << moe.num_routed_experts << ' ' << moe.num_expert_groups << ' ' << moe.topk_groups << ' '
      << moe.top_k << ' ' << s.plan.ep << ' ' << s.cluster.gpus_per_node << ' ' << tokens << ' '
      << redundant << ' ' << (capacity ? cf : 0.0);
  for (double w : r.expert_weights) key << ' ' << w;
  for (const auto& layer : r.layer_loads) {
    key << " |";
    for (double c : layer) key << ' ' << c;
  }
  static std::mutex mutex;
  static std::map<std::string, ExpertLoad> cache;
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(key.str());
    if (it != cache.end()) return it->second;
  }
  ExpertLoad l;
  if (r.popularity == ExpertPopularity::kMeasured) {
    l = measured_layers_load(s, r, capacity);
  } else {
  std::vector<double> load(static_cast<size_t>(moe.num_routed_experts), 1.0);
  if (skewed(r)) {
    EpTraffic t = route_sampled(s, r, tokens);
    if (capacity) {
      const EpTraffic before = t;
      const double dropped = drop_over_capacity(t, moe.num_routed_experts, cf);
      l = load_against(t, before, moe.num_routed_experts);
      l.dropped = dropped;
    } else {
      l = expert_load(t, moe.num_routed_experts);
    }
    for (size_t e = 0; e < load.size(); ++e) load[e] = static_cast<double>(t.expert_tokens[e]);
  }
  if (redundant > 0) with_copies(s, load, l);
  }
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= 1024) cache.clear();
  return cache.emplace(key.str(), l).first->second;
}

bool capacity_of(const Scenario& s) {
  return s.training.balancing.method == BalancingMethod::kCapacity;
}

}  // namespace

std::shared_ptr<const BalancingRun> balancing_trajectory(const Scenario& s) {
  const MoeSpec& moe = s.model.moe;
  if (s.training.balancing.method != BalancingMethod::kAuxFree || !moe.enabled() ||
      s.plan.ep <= 1 || !skewed(s.training.routing))
    return nullptr;
  const std::vector<double> p = balancing_popularity(s);
  const int max_steps = static_cast<int>(
      std::clamp(std::ceil(run_steps(s)), 1.0, static_cast<double>(kMaxBalancingSteps)));
  std::ostringstream key;
  key.precision(17);
  key << moe.top_k << ' ' << s.plan.ep << ' ' << s.training.balancing.gamma << ' ' << max_steps;
  for (double w : p) key << ' ' << w;
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const BalancingRun>> cache;
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(key.str());
    if (it != cache.end()) return it->second;
  }
  auto run = std::make_shared<const BalancingRun>(
      balance_until_steady(p, moe.top_k, s.plan.ep, s.training.balancing.gamma, max_steps));
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= 64) cache.clear();
  return cache.emplace(key.str(), std::move(run)).first->second;
}

RoutingSpec step_routing(const Scenario& s) {
  const auto run = balancing_trajectory(s);
  if (!run) return s.training.routing;
  RoutingSpec r = s.training.routing;
  std::vector<double> w = balancing_popularity(s);
  for (size_t e = 0; e < w.size(); ++e) w[e] *= std::exp(run->bias[e]);
  r.popularity = ExpertPopularity::kHistogram;
  r.zipf_exponent = 1.0;
  r.expert_weights = std::move(w);
  return r;
}

EpTraffic scenario_traffic(const Scenario& s, int tokens, double* dropped) {
  EpTraffic t = route_sampled(s, step_routing(s), tokens);
  const double d = capacity_of(s) ? drop_over_capacity(t, s.model.moe.num_routed_experts,
                                                       s.training.balancing.capacity_factor)
                                  : 0.0;
  if (dropped) *dropped = d;
  return t;
}

ExpertLoad scenario_expert_load(const Scenario& s, int tokens) {
  return load_of(s, step_routing(s), tokens, capacity_of(s));
}

ExpertLoad start_expert_load(const Scenario& s, int tokens) {
  return load_of(s, s.training.routing, tokens, capacity_of(s));
}

}  // namespace moesim
