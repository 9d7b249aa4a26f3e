#include "sim/cost/expert_load.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <sstream>

#include "sim/model/eplb.h"

namespace moesim {

ExpertLoad scenario_expert_load(const Scenario& s, int tokens) {
  const RoutingSpec& r = s.training.routing;
  const MoeSpec& moe = s.model.moe;
  const int redundant = s.plan.redundant_experts;
  if ((r.popularity == ExpertPopularity::kUniform && redundant == 0) || !moe.enabled() ||
      s.plan.ep <= 1)
    return {};
  std::ostringstream key;
  key.precision(17);
  key << static_cast<int>(r.popularity) << ' ' << r.zipf_exponent << ' ' << r.seed << ' '
      << moe.num_routed_experts << ' ' << moe.num_expert_groups << ' ' << moe.topk_groups << ' '
      << moe.top_k << ' ' << s.plan.ep << ' ' << s.cluster.gpus_per_node << ' ' << tokens << ' '
      << redundant;
  for (double w : r.expert_weights) key << ' ' << w;
  static std::mutex mutex;
  static std::map<std::string, ExpertLoad> cache;
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(key.str());
    if (it != cache.end()) return it->second;
  }
  ExpertLoad l;
  std::vector<double> load(static_cast<size_t>(moe.num_routed_experts), 1.0);
  if (r.popularity != ExpertPopularity::kUniform) {
    const EpTraffic t = route_tokens(moe, s.plan.ep, s.cluster.gpus_per_node, tokens, r);
    l = expert_load(t, moe.num_routed_experts);
    for (size_t e = 0; e < load.size(); ++e) load[e] = static_cast<double>(t.expert_tokens[e]);
  }
  if (redundant > 0) {
    // EPLB on the loads this routing produced (as EPLB runs on measured
    // loads); the received tokens are taken to follow the rows.
    const int nodes = std::max(1, s.plan.ep / std::max(1, s.cluster.gpus_per_node));
    const ExpertPlacement p = eplb_placement(load, std::max(1, moe.num_expert_groups), nodes,
                                             s.plan.ep, redundant);
    const std::vector<double> per_gpu = p.gpu_load(load);
    const double rows = max_over_mean(per_gpu);
    l.receive = l.receive * rows / l.compute;
    l.compute = rows;
    l.busiest_rank = static_cast<int>(std::max_element(per_gpu.begin(), per_gpu.end()) - per_gpu.begin());
  }
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= 1024) cache.clear();
  return cache.emplace(key.str(), l).first->second;
}

}  // namespace moesim
