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

// The points shard K of N evaluates, without listing them: position j of the
// shard is entry K-1 + j N of sweep_indices(s). A grid or zip is arithmetic
// (a billion points cost nothing); a sample holds its drawn indices.
class ShardPoints {
 public:
  ShardPoints(const SweepSpec& s, int k, int n);
  uint64_t total() const { return total_; }  // all shards
  uint64_t size() const;                     // this shard
  uint64_t index_at(uint64_t position) const;
  // The position of point `index` in this shard, or -1 when it is not one.
  int64_t position_of(uint64_t index) const;

 private:
  uint64_t entry(uint64_t i) const { return sampled_.empty() ? i : sampled_[i]; }
  uint64_t total_ = 0;
  uint64_t k_ = 1, n_ = 1;
  std::vector<uint64_t> sampled_;  // the sample's indices, increasing; empty: 0..total-1
};

// The value of each parameter at point `index`, in spec order.
std::vector<nlohmann::json> point_values(const SweepSpec& s, uint64_t index);

// The base scenario with the point's values applied (and dp derived when the
// spec asks): ready for parse_scenario.
nlohmann::json point_scenario(const SweepSpec& s, const std::vector<nlohmann::json>& values);

}  // namespace moesim
