#include "sim/core/diagnostics.h"

#include <algorithm>

namespace moesim {

std::string Diagnostic::to_string() const {
  std::string s = "error: " + (file.empty() ? std::string("<inline>") : file) + ": ";
  if (!path.empty()) s += path + ": ";
  return s + message;
}

void Diagnostics::add(std::string file, std::string path, std::string message) {
  items_.push_back(Diagnostic{std::move(file), std::move(path), std::move(message), {}});
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::string Diagnostics::to_string() const {
  std::string s;
  for (const auto& d : items_) s += d.to_string() + "\n";
  return s;
}

void Diagnostics::throw_if_any() const {
  if (!items_.empty()) throw InputError(*this);
}

InputError::InputError(Diagnostics d)
    : std::runtime_error(d.to_string()), diagnostics_(std::move(d)) {}

namespace {
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  std::string best;
  size_t best_d = limit + 1;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace moesim
