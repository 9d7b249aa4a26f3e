#include "real/routing_counts.h"

#include <stdexcept>
#include <string>

namespace moesim::real {

int expert_owner(int expert, int num_experts, int ep_size) {
  return expert / (num_experts / ep_size);
}

DispatchPlan plan_dispatch(const std::vector<std::int32_t>& indices, int topk, int num_experts,
                           int ep_size) {
  if (topk < 1 || num_experts < 1 || ep_size < 1)
    throw std::invalid_argument("plan_dispatch: topk, experts and EP size must be >= 1");
  if (num_experts % ep_size != 0)
    throw std::invalid_argument("plan_dispatch: EP size " + std::to_string(ep_size) +
                                " does not divide " + std::to_string(num_experts) + " experts");
  if (indices.size() % static_cast<size_t>(topk) != 0)
    throw std::invalid_argument("plan_dispatch: " + std::to_string(indices.size()) +
                                " indices are not a multiple of top-k " + std::to_string(topk));
  DispatchPlan p;
  p.tokens_to.assign(ep_size, 0);
  p.token_ids.assign(ep_size, {});
  p.slots_to_expert.assign(num_experts, 0);
  const size_t tokens = indices.size() / topk;
  std::vector<int> last_token_for_rank(ep_size, -1);
  for (size_t t = 0; t < tokens; ++t) {
    for (int j = 0; j < topk; ++j) {
      const std::int32_t e = indices[t * topk + j];
      if (e < 0 || e >= num_experts)
        throw std::invalid_argument("plan_dispatch: token " + std::to_string(t) + " choice " +
                                    std::to_string(j) + " names expert " + std::to_string(e) +
                                    ", outside [0, " + std::to_string(num_experts) + ")");
      ++p.slots_to_expert[e];
      const int r = expert_owner(e, num_experts, ep_size);
      if (last_token_for_rank[r] != static_cast<int>(t)) {
        last_token_for_rank[r] = static_cast<int>(t);
        ++p.tokens_to[r];
        p.token_ids[r].push_back(static_cast<std::int32_t>(t));
      }
    }
  }
  return p;
}

}  // namespace moesim::real
