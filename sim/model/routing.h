#pragma once
// Which ranks and nodes each token of an expert-parallel group must reach.
//
// Model: every rank holds `tokens_per_rank` tokens; each token picks experts
// by group-limited top-k (V3TR §2.1.2): first `topk_groups` of the
// `num_expert_groups` contiguous expert groups, then `top_k` distinct experts
// among the chosen groups. Both draws are weighted sampling without
// replacement: an expert's weight is its popularity, a group's the sum of its
// experts'. Popularity is uniform, or Zipf(s): expert e (0-based) has weight
// 1 / (e + 1)^s, so that the hottest experts sit on rank 0, or a histogram: a
// weight per expert, e.g. a router's logged per-expert token counts. Experts are placed
// contiguously: rank r holds experts [r E/ep, (r+1) E/ep). Ranks are the
// first `ep` GPUs: node = rank / gpus_per_node.
//
// Our own sampling on moesim::Rng: the same spec and seed give the same
// routing on every platform.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/model/model_spec.h"

namespace moesim {

// kMeasured: per-expert token counts logged per MoE layer (layer_loads), taken
// as the load itself (nothing is sampled; see measured_load).
enum class ExpertPopularity { kUniform, kZipf, kHistogram, kMeasured };
const char* to_string(ExpertPopularity p);  // "uniform", "zipf", "histogram", "measured"

struct RoutingSpec {
  ExpertPopularity popularity = ExpertPopularity::kUniform;
  double zipf_exponent = 1.0;          // s, for kZipf
  std::vector<double> expert_weights;  // kHistogram: one per routed expert, >= 0, not all 0
  // kMeasured: per MoE layer (or one row for all), tokens per routed expert:
  // the [layers, experts] table EPLB's rebalance_experts takes.
  std::vector<std::vector<double>> layer_loads;
  uint64_t seed = 1;
  bool operator==(const RoutingSpec& o) const {
    return popularity == o.popularity && zipf_exponent == o.zipf_exponent &&
           expert_weights == o.expert_weights && layer_loads == o.layer_loads && seed == o.seed;
  }
};

// How the load is kept even over a run (training.balancing). kNone: the
// routing's popularity holds every step. kAuxFree: DeepSeek-V3's
// auxiliary-loss-free bias (V3TR §2.1.2; sim/model/aux_free_balancing.h)
// starts from the routing's popularity and evens it out at `gamma` per step.
// kCapacity: every step each expert keeps at most `capacity_factor` x its
// mean share of the tokens and drops the rest (GShard/Switch-style dropping).
enum class BalancingMethod { kNone, kAuxFree, kCapacity };
const char* to_string(BalancingMethod m);  // "none", "aux_free", "capacity"

struct BalancingSpec {
  BalancingMethod method = BalancingMethod::kNone;
  double gamma = 0.001;          // kAuxFree: bias update speed; V3TR §4.2 used 0.001
  double capacity_factor = 1.0;  // kCapacity: > 0
  bool operator==(const BalancingSpec& o) const {
    return method == o.method && gamma == o.gamma && capacity_factor == o.capacity_factor;
  }
};

struct EpTraffic {
  int ep = 0;
  int gpus_per_node = 8;
  int nodes = 1;  // ceil(ep / gpus_per_node)
  int tokens_per_rank = 0;
  // rank_tokens[s * ep + d]: tokens of rank s with at least one expert on
  // rank d (d == s included).
  std::vector<int64_t> rank_tokens;
  // node_tokens[s * nodes + n]: tokens of rank s with at least one expert on
  // node n (s's own node included).
  std::vector<int64_t> node_tokens;
  std::vector<int64_t> expert_tokens;  // tokens routed to each expert

  int node_of(int rank) const { return rank / gpus_per_node; }
  int64_t to_rank(int s, int d) const { return rank_tokens[s * ep + d]; }
  int64_t to_node(int s, int n) const { return node_tokens[s * nodes + n]; }
};

// Each routed expert's weight under `r`: 1 (uniform), 1/(e+1)^s (Zipf), the
// histogram's, or the measured layers' shares averaged over the layers.
// REQUIRES: a histogram (each measured layer) has `experts` weights.
std::vector<double> expert_popularity(const RoutingSpec& r, int experts);

// Problems with routing `moe` over `ep` ranks, as "field: what is wrong".
std::vector<std::string> routing_problems(const MoeSpec& moe, int ep, int gpus_per_node,
                                          int tokens_per_rank, const RoutingSpec& r);

// REQUIRES: routing_problems(...) is empty.
EpTraffic route_tokens(const MoeSpec& moe, int ep, int gpus_per_node, int tokens_per_rank,
                       const RoutingSpec& r);

// How unevenly a routing loads the EP group, as the busiest rank sees it
// against the mean rank: its expert applications (the rows its grouped GEMMs
// run) and the tokens it receives in a dispatch (one per token with any
// expert there). 1 and 1 when balanced.
struct ExpertLoad {
  double compute = 1;  // busiest rank's expert applications / mean
  double receive = 1;  // busiest rank's received tokens / mean
  int busiest_rank = 0;
  double dropped = 0;  // share of expert applications dropped over capacity
};
ExpertLoad expert_load(const EpTraffic& t, int experts);

// One layer's measured per-expert token counts as the EP group's load: the
// busiest rank's rows (the sum over its contiguous experts) against the mean,
// and its received tokens taken as a token's chance to reach the rank,
// 1 - (1 - share)^top_k with share the rank's part of all rows (top-k picks
// treated as independent: no group limit, an approximation), against the
// mean rank's. `capacity_factor` > 0 caps every expert at that x the mean
// expert first (dropped share in `dropped`; rows and receipts against the
// mean before dropping). REQUIRES: counts.size() divisible by ep, >= 0, not all 0.
ExpertLoad measured_load(const std::vector<double>& counts, int ep, int top_k,
                         double capacity_factor = 0);

// Token dropping: caps every expert at `capacity_factor` x the mean expert's
// tokens and returns the fraction of expert applications dropped. A rank's
// received tokens (rank_tokens and node_tokens into it) shrink by the share of
// its rows it keeps: dropped before the dispatch, as Megatron drops them
// (approximation: per destination, not per token).
// REQUIRES: capacity_factor > 0; t.expert_tokens has `experts` entries.
double drop_over_capacity(EpTraffic& t, int experts, double capacity_factor);

}  // namespace moesim
