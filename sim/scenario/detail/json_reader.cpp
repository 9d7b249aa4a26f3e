#include "sim/scenario/detail/json_reader.h"

#include <algorithm>
#include <cmath>

namespace moesim::detail {

void ParseLog::bad_value(const JsonLocation& at, std::string message) {
  diagnostics_.add(at.file, at.pointer, std::move(message));
  ++bad_values_;
}

void ParseLog::error(const JsonLocation& at, std::string message,
                     const std::vector<JsonLocation>& related) {
  Diagnostic d{at.file, at.pointer, std::move(message), {}};
  for (const JsonLocation& r : related) d.related.push_back({r.file, r.pointer});
  diagnostics_.add(std::move(d));
}

namespace {
constexpr size_t kMaxShownChars = 60;

std::string dump(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string join(const std::vector<std::string>& names, bool quoted) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) s += (i + 1 == names.size()) ? " or " : ", ";
    s += quoted ? "\"" + names[i] + "\"" : names[i];
  }
  return s;
}
}  // namespace

std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::string: {
      std::string s = dump(v);
      if (s.size() > kMaxShownChars) s = s.substr(0, kMaxShownChars) + "...\"";
      return s + " (string)";
    }
    case json::value_t::boolean:
      return dump(v) + " (boolean)";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::null:
      return "null";
    default:
      return dump(v);
  }
}

std::string quoted_list(const std::vector<std::string>& names) { return join(names, true); }
std::string plain_list(const std::vector<std::string>& names) { return join(names, false); }

std::optional<int> read_int(const json& v, const JsonLocation& at, const IntRule& rule,
                            ParseLog& log) {
  std::optional<std::int64_t> n;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(INT64_MAX)) n = static_cast<std::int64_t>(u);
  } else if (v.is_number_integer()) {
    n = v.get<std::int64_t>();
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    // 2^62 bounds the exact conversion; every IntRule lies far inside it.
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 4.6e18)
      n = static_cast<std::int64_t>(d);
  }
  if (!n || *n < rule.min || *n > rule.max) {
    const bool over = n && *n > rule.max && rule.above_max;
    log.bad_value(at, std::string("expected ") + (over ? rule.above_max : rule.expected) +
                          ", found " + describe(v));
    return std::nullopt;
  }
  return static_cast<int>(*n);
}

std::optional<double> read_number(const json& v, const JsonLocation& at, const NumberRule& rule,
                                  ParseLog& log) {
  bool ok = v.is_number();
  double d = ok ? v.get<double>() : 0.0;
  if (ok) ok = std::isfinite(d) && (rule.min_inclusive ? d >= rule.min : d > rule.min);
  if (ok && rule.integral) ok = std::floor(d) == d;
  if (ok && d > rule.max) {
    log.bad_value(at, std::string("expected ") + rule.above_max + ", found " + describe(v));
    return std::nullopt;
  }
  if (!ok) {
    log.bad_value(at, std::string("expected ") + rule.expected + ", found " + describe(v));
    return std::nullopt;
  }
  return d;
}

ObjectReader::ObjectReader(const json& j, JsonLocation where, ParseLog& log,
                           const std::string& what)
    : where_(std::move(where)), log_(log) {
  if (j.is_object())
    object_ = &j;
  else
    log_.bad_value(where_, "expected an object (" + what + "), found " + describe(j));
}

bool ObjectReader::has(const std::string& key) const {
  if (!object_) return false;
  const auto it = object_->find(key);
  return it != object_->end() && !(lenient_ && it->is_null());
}

const json* ObjectReader::get(const std::string& key, Presence p, const std::string& expected) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.push_back(key);
  if (has(key)) return &object_->at(key);
  if (object_ && p == kRequired) {
    missing_.push_back(key);
    expected_.push_back(expected);
  }
  return nullptr;
}

bool ObjectReader::read(const std::string& key, int& out, const IntRule& rule, Presence p) {
  const json* v = get(key, p, rule.expected);
  const auto n = v ? read_int(*v, where_ / key, rule, log_) : std::nullopt;
  if (n) out = *n;
  return n.has_value();
}

bool ObjectReader::read(const std::string& key, double& out, const NumberRule& rule, Presence p) {
  const json* v = get(key, p, rule.expected);
  const auto d = v ? read_number(*v, where_ / key, rule, log_) : std::nullopt;
  if (d) out = *d;
  return d.has_value();
}

bool ObjectReader::read(const std::string& key, bool& out, Presence p) {
  const json* v = get(key, p, "true or false");
  if (!v) return false;
  if (!v->is_boolean()) {
    log_.bad_value(where_ / key, "expected true or false, found " + describe(*v));
    return false;
  }
  out = v->get<bool>();
  return true;
}

bool ObjectReader::read(const std::string& key, std::string& out, Presence p) {
  const json* v = get(key, p, "a string");
  if (!v) return false;
  if (!v->is_string()) {
    log_.bad_value(where_ / key, "expected a string, found " + describe(*v));
    return false;
  }
  out = v->get<std::string>();
  return true;
}

int ObjectReader::read_choice(const std::string& key, const std::vector<std::string>& names,
                              Presence p) {
  const std::string expected = "one of " + quoted_list(names);
  const json* v = get(key, p, expected);
  if (!v) return -1;
  if (v->is_string()) {
    const auto s = v->get<std::string>();
    const auto it = std::find(names.begin(), names.end(), s);
    if (it != names.end()) return static_cast<int>(it - names.begin());
    const std::string near = closest_match(s, names);
    log_.bad_value(where_ / key, "expected " + expected + ", found " + describe(*v) +
                                     (near.empty() ? "" : "; did you mean \"" + near + "\"?"));
    return -1;
  }
  log_.bad_value(where_ / key, "expected " + expected + ", found " + describe(*v));
  return -1;
}

void ObjectReader::ignore(const std::string& key) { get(key, kOptional, ""); }

void ObjectReader::reject(const std::string& key, const std::string& why) {
  if (!has(key)) return;
  rejected_.push_back(key);
  log_.error(where_ / key, "key \"" + key + "\" " + why);
}

void ObjectReader::finish() {
  if (!object_) return;
  std::vector<std::string> suggested;
  if (!lenient_) {
    for (const auto& [key, value] : object_->items()) {
      if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
      if (std::find(rejected_.begin(), rejected_.end(), key) != rejected_.end()) continue;
      const std::string near = closest_match(key, known_);
      if (!near.empty()) {
        suggested.push_back(near);
        std::string msg = "unknown key \"" + key + "\"; did you mean \"" + near + "\"?";
        // Standing in for a missing required key, it is a bad value too.
        if (std::find(missing_.begin(), missing_.end(), near) != missing_.end())
          log_.bad_value(where_ / key, std::move(msg));
        else
          log_.error(where_ / key, std::move(msg));
      } else {
        std::string valid;
        for (const auto& k : known_) valid += (valid.empty() ? "\"" : ", \"") + k + "\"";
        log_.error(where_ / key, "unknown key \"" + key + "\"; valid keys here: " + valid);
      }
    }
  }
  // A missing key already suggested for a misspelt one needs no second message.
  // Lenient objects report no unknown keys, so the hint goes with the missing key.
  std::vector<std::string> present;
  if (lenient_)
    for (const auto& [key, value] : object_->items()) present.push_back(key);
  for (size_t i = 0; i < missing_.size(); ++i) {
    if (std::find(suggested.begin(), suggested.end(), missing_[i]) != suggested.end()) continue;
    const std::string near = closest_match(missing_[i], present);
    log_.bad_value(where_, "missing required key \"" + missing_[i] + "\" (" + expected_[i] + ")" +
                               (near.empty() ? "" : "; is \"" + near + "\" a misspelling?"));
  }
}

namespace {
// Whether `doc` holds the value at `pointer`; malformed pointers count as held.
bool holds(const json& doc, const std::string& pointer) {
  try {
    return doc.contains(json::json_pointer(pointer));
  } catch (const json::exception&) {
    return true;
  }
}
}  // namespace

void report_field_messages(const std::vector<std::string>& messages, const JsonLocation& root,
                           ParseLog& log,
                           const std::vector<std::pair<std::string, std::string>>* rename,
                           const json* doc) {
  for (const auto& m : messages) {
    const size_t colon = m.find(": ");
    std::string field = colon == std::string::npos ? "" : m.substr(0, colon);
    std::string text = colon == std::string::npos ? m : m.substr(colon + 2);
    if (rename && !field.empty()) {
      const auto it = std::find_if(rename->begin(), rename->end(),
                                   [&](const auto& r) { return r.first == field; });
      if (it != rename->end()) {
        field = it->second;
      } else {  // no key of that file holds the field: name it in the message
        text = field + ": " + text;
        field.clear();
      }
    }
    JsonLocation at = root;
    if (!field.empty()) at.pointer += "/" + field;
    if (doc && !field.empty() && !holds(*doc, "/" + field)) {
      const size_t slash = field.rfind('/');
      JsonLocation parent = root;
      if (slash != std::string::npos) parent.pointer += "/" + field.substr(0, slash);
      log.error(parent, "missing key \"" + field.substr(slash + 1) +
                            "\" (its default does not fit: " + text + ")");
      continue;
    }
    log.error(at, text);
  }
}

}  // namespace moesim::detail
