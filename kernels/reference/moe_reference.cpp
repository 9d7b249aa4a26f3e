#include "kernels/reference/moe_reference.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace moesim::kernels::reference {
namespace {

void expect_size(const char* who, std::size_t got, std::int64_t want) {
  if (got != static_cast<std::size_t>(want)) {
    throw std::invalid_argument(std::string(who) + ": " + std::to_string(got) +
                                " elements, expected " + std::to_string(want));
  }
}

// Indices 0..n-1 ordered by descending score, ties by ascending index.
std::vector<int> rank_descending(const std::vector<float>& score) {
  std::vector<int> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return score[a] != score[b] ? score[a] > score[b] : a < b; });
  return order;
}

}  // namespace

float gate_affinity(float logit) { return 1.0f / (1.0f + std::exp(-logit)); }

GateResult moe_gate(const std::vector<float>& logits, const std::vector<float>& bias,
                    std::int64_t tokens, const MoeGateConfig& c) {
  require(check_gate_config(c));
  const int experts = c.num_experts;
  const int group_size = experts / c.num_groups;
  expect_size("moe_gate logits", logits.size(), tokens * experts);
  expect_size("moe_gate bias", bias.size(), experts);
  GateResult out{std::vector<std::int32_t>(static_cast<std::size_t>(tokens * c.topk)),
                 std::vector<float>(static_cast<std::size_t>(tokens * c.topk))};
  std::vector<float> affinity(static_cast<std::size_t>(experts));
  std::vector<float> choice(static_cast<std::size_t>(experts));
  for (std::int64_t t = 0; t < tokens; ++t) {
    for (int e = 0; e < experts; ++e) {
      affinity[e] = gate_affinity(logits[static_cast<std::size_t>(t * experts + e)]);
      choice[e] = affinity[e] + bias[static_cast<std::size_t>(e)];
    }
    std::vector<float> group_score(static_cast<std::size_t>(c.num_groups));
    for (int g = 0; g < c.num_groups; ++g) {
      std::vector<float> members(choice.begin() + g * group_size,
                                 choice.begin() + (g + 1) * group_size);
      std::sort(members.begin(), members.end(), [](float a, float b) { return a > b; });
      group_score[g] = members[0] + members[1];
    }
    const std::vector<int> group_order = rank_descending(group_score);
    std::vector<float> allowed(static_cast<std::size_t>(experts), -INFINITY);
    for (int k = 0; k < c.topk_groups; ++k) {
      const int g = group_order[k];
      for (int e = g * group_size; e < (g + 1) * group_size; ++e) allowed[e] = choice[e];
    }
    const std::vector<int> expert_order = rank_descending(allowed);
    float total = 0.0f;
    for (int j = 0; j < c.topk; ++j) total += affinity[expert_order[j]];
    for (int j = 0; j < c.topk; ++j) {
      const int e = expert_order[j];
      out.indices[static_cast<std::size_t>(t * c.topk + j)] = e;
      out.weights[static_cast<std::size_t>(t * c.topk + j)] = affinity[e] / total * c.route_scale;
    }
  }
  return out;
}

RoutingMap routing_map(const std::vector<std::int32_t>& indices, std::int64_t tokens, int topk,
                       int num_experts, int row_alignment) {
  expect_size("routing_map indices", indices.size(), tokens * topk);
  if (num_experts <= 0 || row_alignment <= 0) {
    throw std::invalid_argument("routing_map: num_experts and row_alignment must be positive");
  }
  RoutingMap m;
  m.counts.assign(static_cast<std::size_t>(num_experts), 0);
  for (std::int32_t e : indices) {
    if (e >= 0 && e < num_experts) ++m.counts[static_cast<std::size_t>(e)];
  }
  m.offsets.assign(static_cast<std::size_t>(num_experts) + 1, 0);
  for (int e = 0; e < num_experts; ++e) {
    const std::int32_t padded = (m.counts[e] + row_alignment - 1) / row_alignment * row_alignment;
    m.offsets[static_cast<std::size_t>(e) + 1] = m.offsets[e] + padded;
  }
  m.slot_rows.assign(indices.size(), -1);
  m.row_slots.assign(static_cast<std::size_t>(m.offsets.back()), -1);
  std::vector<std::int32_t> next(m.offsets.begin(), m.offsets.end() - 1);
  for (std::size_t s = 0; s < indices.size(); ++s) {  // slot order: stable within each expert
    const std::int32_t e = indices[s];
    if (e < 0 || e >= num_experts) continue;
    const std::int32_t row = next[static_cast<std::size_t>(e)]++;
    m.slot_rows[s] = row;
    m.row_slots[static_cast<std::size_t>(row)] = static_cast<std::int32_t>(s);
  }
  return m;
}

std::vector<Bf16> permute(const std::vector<Bf16>& x, std::int64_t hidden, int topk,
                          const std::vector<std::int32_t>& row_slots) {
  std::vector<Bf16> out(row_slots.size() * static_cast<std::size_t>(hidden));
  const std::int64_t tokens = static_cast<std::int64_t>(x.size()) / hidden;
  for (std::size_t r = 0; r < row_slots.size(); ++r) {
    const std::int32_t slot = row_slots[r];
    if (slot < 0) continue;
    const std::int64_t token = slot / topk;
    if (token >= tokens) throw std::invalid_argument("permute: slot beyond the tokens of x");
    std::copy_n(x.begin() + token * hidden, hidden,
                out.begin() + static_cast<std::int64_t>(r) * hidden);
  }
  return out;
}

std::vector<Bf16> unpermute(const std::vector<Bf16>& expert_out, std::int64_t hidden,
                            const std::vector<std::int32_t>& slot_rows,
                            const std::vector<float>& weights, std::int64_t tokens, int topk) {
  expect_size("unpermute slot_rows", slot_rows.size(), tokens * topk);
  expect_size("unpermute weights", weights.size(), tokens * topk);
  std::vector<Bf16> y(static_cast<std::size_t>(tokens * hidden));
  std::vector<float> acc(static_cast<std::size_t>(hidden));
  for (std::int64_t t = 0; t < tokens; ++t) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    for (int j = 0; j < topk; ++j) {
      const std::int32_t row = slot_rows[static_cast<std::size_t>(t * topk + j)];
      if (row < 0) continue;
      if ((row + 1) * hidden > static_cast<std::int64_t>(expert_out.size())) {
        throw std::invalid_argument("unpermute: row beyond expert_out");
      }
      const float w = weights[static_cast<std::size_t>(t * topk + j)];
      for (std::int64_t i = 0; i < hidden; ++i) {
        const float product = w * to_float(expert_out[static_cast<std::size_t>(row * hidden + i)]);
        acc[static_cast<std::size_t>(i)] += product;
      }
    }
    for (std::int64_t i = 0; i < hidden; ++i)
      y[static_cast<std::size_t>(t * hidden + i)] = to_bf16(acc[static_cast<std::size_t>(i)]);
  }
  return y;
}

}  // namespace moesim::kernels::reference
