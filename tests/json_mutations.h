#pragma once
// Seeded JSON mutations shared by the parser fuzz tests (scenarios,
// calibration profiles): delete or rename a key, replace a value by one of
// another type or range, wrap or swap values; or, on the text, truncate it or
// overwrite bytes. The generator is ours (SplitMix64), so every platform runs
// the same cases.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace moesim::test {

using nlohmann::json;

// SplitMix64 (Steele, Lea, Flood 2014): tiny, and fully specified.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

inline std::string escape(const std::string& key) {
  std::string s;
  for (char c : key) s += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return s;
}

inline void collect(const json& j, std::string at, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      out.push_back(at + "/" + escape(k));
      collect(v, out.back(), out);
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      out.push_back(at + "/" + std::to_string(i));
      collect(j[i], out.back(), out);
    }
  }
}

inline const std::vector<json>& odd_values() {
  static const std::vector<json> values = {"16",
                                           "",
                                           "nan",
                                           "NaN",
                                           "-Infinity",
                                           "models/deepseek-v3.json",
                                           "clusters/h800-2048.json",
                                           "../scenarios",
                                           std::string(300, 'x'),
                                           -1,
                                           0,
                                           -2147483648ll,
                                           2147483647,
                                           2147483648ll,
                                           INT64_MAX,
                                           UINT64_MAX,
                                           1e308,
                                           -1e308,
                                           1e-300,
                                           0.5,
                                           1.5,
                                           -0.0,
                                           4096.0,
                                           true,
                                           false,
                                           nullptr,
                                           json::array(),
                                           json::object(),
                                           json::array({1, 2, 3}),
                                           json{{"x", 1}}};
  return values;
}

inline std::string renamed(const std::string& key, Rng& rng) {
  switch (rng.below(4)) {
    case 0:
      return key + "s";
    case 1:
      return key.size() > 1 ? key.substr(0, key.size() - 1) : key + "_";
    case 2:
      return key.empty() ? "X" : std::string(1, static_cast<char>(key[0] ^ 0x20)) + key.substr(1);
    default:
      return "unexpected_" + key;
  }
}

// One structural mutation; returns what it did, for the failure message.
inline std::string mutate(json& j, Rng& rng) {
  std::vector<std::string> pointers;
  collect(j, "", pointers);
  if (pointers.empty()) return "nothing to mutate";
  const json::json_pointer at(pointers[rng.below(pointers.size())]);
  json& parent = j[at.parent_pointer()];
  const std::string last = at.back();
  switch (rng.below(5)) {
    case 0:
      if (parent.is_object())
        parent.erase(last);
      else
        parent.erase(static_cast<size_t>(std::stoul(last)));
      return "delete " + at.to_string();
    case 1: {
      if (!parent.is_object()) break;
      const std::string to = renamed(last, rng);
      json v = parent[last];
      parent.erase(last);
      parent[to] = v;
      return "rename " + at.to_string() + " to " + to;
    }
    case 2: {
      json w = rng.below(2) ? json::array({j[at]}) : json{{"value", j[at]}};
      j[at] = w;
      return "wrap " + at.to_string();
    }
    case 3: {
      const json::json_pointer other(pointers[rng.below(pointers.size())]);
      if (other.to_string().rfind(at.to_string(), 0) == 0 ||
          at.to_string().rfind(other.to_string(), 0) == 0)
        break;
      std::swap(j[at], j[other]);
      return "swap " + at.to_string() + " and " + other.to_string();
    }
    default:
      break;
  }
  const json& v = odd_values()[rng.below(odd_values().size())];
  j[at] = v;
  return "set " + at.to_string() + " to " + v.dump();
}

inline std::string mutate_text(std::string& text, Rng& rng) {
  if (rng.below(3) == 0) {
    const size_t cut = rng.below(text.size());
    text.resize(cut);
    return "truncate at " + std::to_string(cut);
  }
  static const std::string kBytes = "{}[],:\"\\0123456789-+.eE tfn\x01\xff\xc3";
  std::string what = "overwrite bytes at";
  const size_t n = 1 + rng.below(4);
  for (size_t i = 0; i < n && !text.empty(); ++i) {
    const size_t pos = rng.below(text.size());
    text[pos] =
        rng.below(4) == 0 ? static_cast<char>(rng.below(256)) : kBytes[rng.below(kBytes.size())];
    what += " " + std::to_string(pos);
  }
  return what;
}

// A case of a fuzz run: `base` with 1 to `max_mutations` seeded mutations; `what`
// gets "case N: <each mutation>;" for the failure message.
inline json mutated_case(const json& base, int index, std::uint64_t seed, size_t max_mutations,
                         std::string* what) {
  Rng rng(seed + static_cast<std::uint64_t>(index));
  json j = base;
  *what = "case " + std::to_string(index) + ":";
  const size_t n = 1 + rng.below(max_mutations);
  for (size_t k = 0; k < n; ++k) *what += " " + mutate(j, rng) + ";";
  return j;
}

}  // namespace moesim::test
