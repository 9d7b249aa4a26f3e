#pragma once
// From the gate's routing to what EP dispatch sends: experts are placed contiguously
// (rank r of an EP group of size P owns experts [r E/P, (r+1) E/P)), and a token goes to
// a rank once however many of its top-k experts live there (DeepEP's is_token_in_rank;
// the receiving rank applies each of its chosen experts). Pure; used by `moesim-real step`
// after downloading the gate's indices, and tested without a GPU.

#include <cstdint>
#include <vector>

namespace moesim::real {

struct DispatchPlan {
  // tokens_to[p]: tokens this rank sends to rank p (itself included: they stay local).
  std::vector<std::int64_t> tokens_to;
  // For each destination p, the token indices in send order (ascending).
  std::vector<std::vector<std::int32_t>> token_ids;
  // slots_to_expert[e]: (token, choice) slots routed to expert e from this rank.
  std::vector<std::int64_t> slots_to_expert;
};

// REQUIRES (std::invalid_argument naming the problem otherwise): num_experts % ep_size
// == 0; indices.size() == tokens * topk; every index in [0, num_experts).
DispatchPlan plan_dispatch(const std::vector<std::int32_t>& indices, int topk, int num_experts,
                           int ep_size);

int expert_owner(int expert, int num_experts, int ep_size);

}  // namespace moesim::real
