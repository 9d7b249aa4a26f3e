#include "sim/sweep/sweep_points.h"

#include <algorithm>
#include <set>

#include "sim/core/rng.h"

namespace moesim {

using nlohmann::json;

uint64_t enumeration_size(const SweepSpec& s) {
  if (s.parameters.empty()) return 0;
  if (s.combine == SweepCombine::kZip) return s.parameters.front().values.size();
  uint64_t n = 1;
  for (const auto& p : s.parameters) n *= p.values.size();
  return n;
}

std::vector<uint64_t> sweep_indices(const SweepSpec& s) {
  const uint64_t total = enumeration_size(s);
  std::vector<uint64_t> out;
  if (!s.sample_count || static_cast<uint64_t>(*s.sample_count) >= total) {
    out.resize(total);
    for (uint64_t i = 0; i < total; ++i) out[i] = i;
    return out;
  }
  // Floyd's algorithm: `count` distinct draws from [0, total), O(count) memory.
  const uint64_t count = static_cast<uint64_t>(*s.sample_count);
  Rng rng(s.sample_seed);
  std::set<uint64_t> chosen;
  for (uint64_t j = total - count; j < total; ++j) {
    const uint64_t t = rng.below(j + 1);
    if (!chosen.insert(t).second) chosen.insert(j);
  }
  out.assign(chosen.begin(), chosen.end());
  return out;
}

std::vector<uint64_t> shard_of(const std::vector<uint64_t>& indices, int k, int n) {
  std::vector<uint64_t> out;
  for (size_t i = static_cast<size_t>(k - 1); i < indices.size(); i += static_cast<size_t>(n))
    out.push_back(indices[i]);
  return out;
}

ShardPoints::ShardPoints(const SweepSpec& s, int k, int n)
    : k_(static_cast<uint64_t>(k)), n_(static_cast<uint64_t>(n)) {
  const uint64_t all = enumeration_size(s);
  if (s.sample_count && static_cast<uint64_t>(*s.sample_count) < all) {
    sampled_ = sweep_indices(s);
    total_ = sampled_.size();
  } else {
    total_ = all;
  }
}

uint64_t ShardPoints::size() const {
  return total_ >= k_ ? (total_ - k_) / n_ + 1 : 0;
}

uint64_t ShardPoints::index_at(uint64_t position) const { return entry(k_ - 1 + position * n_); }

int64_t ShardPoints::position_of(uint64_t index) const {
  uint64_t i = index;  // the entry of sweep_indices() that holds `index`
  if (!sampled_.empty()) {
    const auto it = std::lower_bound(sampled_.begin(), sampled_.end(), index);
    if (it == sampled_.end() || *it != index) return -1;
    i = static_cast<uint64_t>(it - sampled_.begin());
  }
  if (i >= total_ || i < k_ - 1 || (i - (k_ - 1)) % n_ != 0) return -1;
  return static_cast<int64_t>((i - (k_ - 1)) / n_);
}

std::vector<json> point_values(const SweepSpec& s, uint64_t index) {
  std::vector<json> v(s.parameters.size());
  if (s.combine == SweepCombine::kZip) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = s.parameters[i].values[index];
    return v;
  }
  for (size_t i = s.parameters.size(); i-- > 0;) {
    const uint64_t radix = s.parameters[i].values.size();
    v[i] = s.parameters[i].values[index % radix];
    index /= radix;
  }
  return v;
}

json point_scenario(const SweepSpec& s, const std::vector<json>& values) {
  json j = s.base;
  for (size_t i = 0; i < values.size(); ++i)
    j[json::json_pointer(s.parameters[i].path)] = values[i];
  if (s.derive_dp && j.contains("cluster") && j.contains("plan") && j["plan"].is_object()) {
    const json& c = j["cluster"];
    const json& p = j["plan"];
    const auto get = [](const json& o, const char* k, long d) {
      return o.contains(k) && o[k].is_number_integer() ? o[k].get<long>() : d;
    };
    const long gpus = get(c, "nodes", 0) * get(c, "gpus_per_node", 8);
    const long per = get(p, "pp", 1) * get(p, "tp", 1) * get(p, "cp", 1);
    // Leave impossible combinations for the plan checks to name.
    if (per > 0 && gpus > 0 && gpus % per == 0) j["plan"]["dp"] = gpus / per;
  }
  return j;
}

}  // namespace moesim
