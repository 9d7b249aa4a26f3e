#pragma once
// The points of a sweep. Each point has a stable index in the full enumeration
// (grid: mixed radix with the first parameter varying slowest; zip: position),
// so shards and resumed runs agree on what point i is. With sampling, the
// points are `count` distinct indices drawn with the spec's seed, in
// increasing order.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sweep/sweep_spec.h"

namespace moesim {

// Number of points in the full enumeration (before sampling).
uint64_t enumeration_size(const SweepSpec& s);

// The indices the sweep evaluates, in increasing order.
std::vector<uint64_t> sweep_indices(const SweepSpec& s);

// Shard K of N (1-based K): every N-th entry of `indices`, starting at K-1.
std::vector<uint64_t> shard_of(const std::vector<uint64_t>& indices, int k, int n);

// The value of each parameter at point `index`, in spec order.
std::vector<nlohmann::json> point_values(const SweepSpec& s, uint64_t index);

// The base scenario with the point's values applied (and dp derived when the
// spec asks): ready for parse_scenario.
nlohmann::json point_scenario(const SweepSpec& s, const std::vector<nlohmann::json>& values);

}  // namespace moesim
