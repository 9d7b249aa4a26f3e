#include "sim/model/routing.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "sim/core/check.h"
#include "sim/core/rng.h"

namespace moesim {
namespace {

// Draws `k` distinct entries of `candidates` (indices into `w`), each draw
// weighted by `w` among those not yet drawn; appends them to `out`.
// `candidates` is consumed.
void draw_without_replacement(const std::vector<double>& w, std::vector<int>& candidates, int k,
                              Rng& rng, std::vector<int>& out) {
  double total = 0;
  for (int i : candidates) total += w[i];
  for (int j = 0; j < k; ++j) {
    MOESIM_CHECK(!candidates.empty(), "nothing left to draw");
    double u = rng.uniform() * total;
    size_t pick = candidates.size() - 1;  // the last one absorbs rounding
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (u < w[candidates[c]]) {
        pick = c;
        break;
      }
      u -= w[candidates[c]];
    }
    const int chosen = candidates[pick];
    total -= w[chosen];
    out.push_back(chosen);
    candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(pick));
  }
}

}  // namespace

const char* to_string(ExpertPopularity p) {
  switch (p) {
    case ExpertPopularity::kUniform: return "uniform";
    case ExpertPopularity::kZipf: return "zipf";
    case ExpertPopularity::kHistogram: return "histogram";
    case ExpertPopularity::kMeasured: return "measured";
  }
  return "?";
}

const char* to_string(BalancingMethod m) {
  switch (m) {
    case BalancingMethod::kNone: return "none";
    case BalancingMethod::kAuxFree: return "aux_free";
    case BalancingMethod::kCapacity: return "capacity";
  }
  return "?";
}

std::vector<double> expert_popularity(const RoutingSpec& r, int experts) {
  switch (r.popularity) {
    case ExpertPopularity::kUniform: break;
    case ExpertPopularity::kZipf: {
      std::vector<double> w;
      for (int e = 0; e < experts; ++e) w.push_back(std::pow(e + 1.0, -r.zipf_exponent));
      return w;
    }
    case ExpertPopularity::kHistogram:
      MOESIM_CHECK(static_cast<int>(r.expert_weights.size()) == experts,
                   "a histogram needs a weight per expert");
      return r.expert_weights;
    case ExpertPopularity::kMeasured: {
      std::vector<double> w(static_cast<size_t>(experts), 0.0);
      for (const std::vector<double>& l : r.layer_loads) {
        MOESIM_CHECK(static_cast<int>(l.size()) == experts, "a measured layer needs a count per expert");
        double total = 0;
        for (double c : l) total += c;
        for (size_t e = 0; e < w.size(); ++e) w[e] += total > 0 ? l[e] / total : 0.0;
      }
      return w;
    }
  }
  return std::vector<double>(static_cast<size_t>(experts), 1.0);
}

std::vector<std::string> routing_problems(const MoeSpec& moe, int ep, int gpus_per_node,
                                          int tokens_per_rank, const RoutingSpec& r) {
  std::vector<std::string> e;
  const int experts = moe.num_routed_experts;
  if (experts <= 0) e.push_back("moe/num_routed_experts: routing needs a MoE model");
  if (ep <= 0 || gpus_per_node <= 0 || tokens_per_rank < 0)
    e.push_back("ep, gpus_per_node, tokens: must be positive");
  if (!e.empty()) return e;
  if (experts % ep != 0)
    e.push_back("ep: " + std::to_string(ep) + " does not divide " + std::to_string(experts) +
                " routed experts");
  if (ep > gpus_per_node && ep % gpus_per_node != 0)
    e.push_back("ep: " + std::to_string(ep) + " spans a partial node of " +
                std::to_string(gpus_per_node) + " GPUs");
  if (moe.num_expert_groups <= 0 || experts % moe.num_expert_groups != 0)
    e.push_back("moe/num_expert_groups: must divide the routed experts");
  else if (moe.topk_groups <= 0 || moe.topk_groups > moe.num_expert_groups)
    e.push_back("moe/topk_groups: must be in [1, num_expert_groups]");
  else if (moe.top_k <= 0 || moe.top_k > moe.topk_groups * (experts / moe.num_expert_groups))
    e.push_back("moe/top_k: must be in [1, experts in topk_groups groups]");
  if (r.popularity == ExpertPopularity::kZipf && !(r.zipf_exponent >= 0))
    e.push_back("routing/zipf_exponent: must be >= 0");
  if (r.popularity == ExpertPopularity::kMeasured) {
    if (r.layer_loads.empty()) e.push_back("routing/layer_loads: no layers given");
    for (size_t i = 0; i < r.layer_loads.size(); ++i) {
      const std::vector<double>& l = r.layer_loads[i];
      const std::string at = "routing/layer_loads/" + std::to_string(i) + ": ";
      double total = 0;
      bool bad = false;
      for (double c : l) {
        bad = bad || !(c >= 0) || !std::isfinite(c);
        total += c;
      }
      if (static_cast<int>(l.size()) != experts)
        e.push_back(at + std::to_string(l.size()) + " counts for " + std::to_string(experts) +
                    " routed experts");
      else if (bad)
        e.push_back(at + "counts must be finite and >= 0");
      else if (!(total > 0))
        e.push_back(at + "at least one count must be positive");
    }
    if (e.empty()) {
      int positive = 0;
      for (double w : expert_popularity(r, experts)) positive += w > 0;
      if (positive < moe.top_k)
        e.push_back("routing/layer_loads: " + std::to_string(positive) +
                    " experts with tokens in any layer, top-k needs " + std::to_string(moe.top_k));
    }
  }
  if (r.popularity == ExpertPopularity::kHistogram) {
    double total = 0;
    bool negative = false;
    for (double w : r.expert_weights) {
      negative = negative || !(w >= 0) || !std::isfinite(w);
      total += w;
    }
    if (static_cast<int>(r.expert_weights.size()) != experts)
      e.push_back("routing/expert_weights: " + std::to_string(r.expert_weights.size()) +
                  " weights for " + std::to_string(experts) + " routed experts");
    else if (negative)
      e.push_back("routing/expert_weights: weights must be finite and >= 0");
    else if (!(total > 0))
      e.push_back("routing/expert_weights: at least one weight must be positive");
    else {
      // top-k distinct experts need top_k with weight in the chosen groups:
      // every token must find them; demand that many positive weights overall
      // and per group as many as a group can be asked for.
      int positive = 0;
      for (double w : r.expert_weights) positive += w > 0;
      if (positive < moe.top_k)
        e.push_back("routing/expert_weights: " + std::to_string(positive) +
                    " experts with weight, top-k needs " + std::to_string(moe.top_k));
    }
  }
  return e;
}

EpTraffic route_tokens(const MoeSpec& moe, int ep, int gpus_per_node, int tokens_per_rank,
                       const RoutingSpec& r) {
  MOESIM_CHECK(routing_problems(moe, ep, gpus_per_node, tokens_per_rank, r).empty(),
               "invalid routing");
  const int experts = moe.num_routed_experts;
  const int groups = moe.num_expert_groups;
  const int per_group = experts / groups;
  const int per_rank = experts / ep;
  EpTraffic t;
  t.ep = ep;
  t.gpus_per_node = gpus_per_node;
  t.nodes = (ep + gpus_per_node - 1) / gpus_per_node;
  t.tokens_per_rank = tokens_per_rank;
  t.rank_tokens.assign(static_cast<size_t>(ep) * ep, 0);
  t.node_tokens.assign(static_cast<size_t>(ep) * t.nodes, 0);
  t.expert_tokens.assign(experts, 0);

  const std::vector<double> expert_w = expert_popularity(r, experts);
  std::vector<double> group_w(groups, 0.0);
  for (int e = 0; e < experts; ++e) group_w[e / per_group] += expert_w[e];

  Rng rng(r.seed);
  std::vector<int> all_groups(groups), group_pool, expert_pool, chosen_groups, chosen_experts;
  for (int g = 0; g < groups; ++g) all_groups[g] = g;
  std::vector<int64_t> rank_hit(ep, -1), node_hit(t.nodes, -1);  // last token to hit each
  int64_t token_id = 0;
  for (int s = 0; s < ep; ++s) {
    for (int i = 0; i < tokens_per_rank; ++i, ++token_id) {
      chosen_groups.clear();
      group_pool = all_groups;
      draw_without_replacement(group_w, group_pool, moe.topk_groups, rng, chosen_groups);
      // Candidates in expert order, so that a draw does not depend on the
      // order in which the groups were drawn beyond the rng stream.
      std::sort(chosen_groups.begin(), chosen_groups.end());
      expert_pool.clear();
      for (int g : chosen_groups)
        for (int e = g * per_group; e < (g + 1) * per_group; ++e) expert_pool.push_back(e);
      chosen_experts.clear();
      draw_without_replacement(expert_w, expert_pool, moe.top_k, rng, chosen_experts);
      for (int e : chosen_experts) {
        ++t.expert_tokens[e];
        const int d = e / per_rank;
        const int n = d / gpus_per_node;
        if (rank_hit[d] != token_id) {
          rank_hit[d] = token_id;
          ++t.rank_tokens[static_cast<size_t>(s) * ep + d];
        }
        if (node_hit[n] != token_id) {
          node_hit[n] = token_id;
          ++t.node_tokens[static_cast<size_t>(s) * t.nodes + n];
        }
      }
    }
  }
  return t;
}

ExpertLoad expert_load(const EpTraffic& t, int experts) {
  ExpertLoad l;
  if (t.ep <= 0 || experts <= 0) return l;
  const int per_rank = experts / t.ep;
  double total = 0, busiest = -1, recv_total = 0, recv_max = 0;
  for (int d = 0; d < t.ep; ++d) {
    double rows = 0, recv = 0;
    for (int e = d * per_rank; e < (d + 1) * per_rank; ++e)
      rows += static_cast<double>(t.expert_tokens[static_cast<size_t>(e)]);
    for (int s = 0; s < t.ep; ++s) recv += static_cast<double>(t.to_rank(s, d));
    total += rows;
    recv_total += recv;
    recv_max = std::max(recv_max, recv);
    if (rows > busiest) {
      busiest = rows;
      l.busiest_rank = d;
    }
  }
  if (total > 0) l.compute = busiest / (total / t.ep);
  if (recv_total > 0) l.receive = recv_max / (recv_total / t.ep);
  return l;
}

ExpertLoad measured_load(const std::vector<double>& counts, int ep, int top_k,
                         double capacity_factor) {
  const int n = static_cast<int>(counts.size());
  MOESIM_CHECK(ep >= 1 && n % ep == 0 && top_k >= 1, "measured_load: bad arguments");
  double total = 0;
  for (double c : counts) total += c;
  MOESIM_CHECK(total > 0, "measured_load: no tokens");
  const double cap = capacity_factor > 0 ? capacity_factor * total / n : total;
  const int per_rank = n / ep;
  ExpertLoad l;
  double kept_total = 0, busiest = -1, recv_sum = 0, recv_max = 0;
  for (int d = 0; d < ep; ++d) {
    double rows = 0, kept = 0;
    for (int e = d * per_rank; e < (d + 1) * per_rank; ++e) {
      rows += counts[static_cast<size_t>(e)];
      kept += std::min(counts[static_cast<size_t>(e)], cap);
    }
    kept_total += kept;
    // Received before dropping, then what the rank keeps of it.
    const double reach = 1 - std::pow(1 - rows / total, top_k);
    const double recv = rows > 0 ? reach * kept / rows : 0.0;
    recv_sum += 1 - std::pow(1 - rows / total, top_k);
    recv_max = std::max(recv_max, recv);
    if (kept > busiest) {
      busiest = kept;
      l.busiest_rank = d;
    }
  }
  l.compute = busiest / (total / ep);
  l.receive = recv_sum > 0 ? recv_max / (recv_sum / ep) : 1.0;
  l.dropped = 1 - kept_total / total;
  return l;
}

double drop_over_capacity(EpTraffic& t, int experts, double capacity_factor) {
  MOESIM_CHECK(capacity_factor > 0 && experts > 0 &&
                   static_cast<int>(t.expert_tokens.size()) == experts && t.ep > 0,
               "drop_over_capacity: bad arguments");
  double total = 0;
  for (int64_t n : t.expert_tokens) total += static_cast<double>(n);
  if (total <= 0) return 0;
  const auto cap = static_cast<int64_t>(std::floor(capacity_factor * total / experts));
  const int per_rank = experts / t.ep;
  std::vector<double> rank_kept(static_cast<size_t>(t.ep), 1.0);
  std::vector<double> node_rows(static_cast<size_t>(t.nodes), 0.0), node_kept(node_rows);
  double dropped = 0;
  for (int d = 0; d < t.ep; ++d) {
    double rows = 0, kept = 0;
    for (int e = d * per_rank; e < (d + 1) * per_rank; ++e) {
      int64_t& n = t.expert_tokens[static_cast<size_t>(e)];
      rows += static_cast<double>(n);
      n = std::min(n, cap);
      kept += static_cast<double>(n);
    }
    dropped += rows - kept;
    if (rows > 0) rank_kept[static_cast<size_t>(d)] = kept / rows;
    node_rows[static_cast<size_t>(t.node_of(d))] += rows;
    node_kept[static_cast<size_t>(t.node_of(d))] += kept;
  }
  for (int s = 0; s < t.ep; ++s) {
    for (int d = 0; d < t.ep; ++d) {
      int64_t& n = t.rank_tokens[static_cast<size_t>(s) * t.ep + d];
      n = std::llround(static_cast<double>(n) * rank_kept[static_cast<size_t>(d)]);
    }
    for (int nd = 0; nd < t.nodes; ++nd) {
      if (node_rows[static_cast<size_t>(nd)] <= 0) continue;
      int64_t& n = t.node_tokens[static_cast<size_t>(s) * t.nodes + nd];
      n = std::llround(static_cast<double>(n) * node_kept[static_cast<size_t>(nd)] /
                       node_rows[static_cast<size_t>(nd)]);
    }
  }
  return dropped / total;
}

}  // namespace moesim
