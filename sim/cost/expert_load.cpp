#include "sim/cost/expert_load.h"

#include <map>
#include <mutex>
#include <sstream>

namespace moesim {

ExpertLoad scenario_expert_load(const Scenario& s, int tokens) {
  const RoutingSpec& r = s.training.routing;
  const MoeSpec& moe = s.model.moe;
  if (r.popularity == ExpertPopularity::kUniform || !moe.enabled() || s.plan.ep <= 1) return {};
  std::ostringstream key;
  key.precision(17);
  key << static_cast<int>(r.popularity) << ' ' << r.zipf_exponent << ' ' << r.seed << ' '
      << moe.num_routed_experts << ' ' << moe.num_expert_groups << ' ' << moe.topk_groups << ' '
      << moe.top_k << ' ' << s.plan.ep << ' ' << s.cluster.gpus_per_node << ' ' << tokens;
  for (double w : r.expert_weights) key << ' ' << w;
  static std::mutex mutex;
  static std::map<std::string, ExpertLoad> cache;
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(key.str());
    if (it != cache.end()) return it->second;
  }
  const ExpertLoad l = expert_load(
      route_tokens(moe, s.plan.ep, s.cluster.gpus_per_node, tokens, r), moe.num_routed_experts);
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= 1024) cache.clear();
  return cache.emplace(key.str(), l).first->second;
}

}  // namespace moesim
