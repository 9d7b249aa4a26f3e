#pragma once
// The reader behind every part parser: typed getters that check a value's type
// and range and say what was expected and found, and an object reader that
// remembers which keys were asked for so that the rest can be reported as
// unknown, with a did-you-mean. Getters never throw; problems go to a ParseLog.

#include <climits>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/scenario/scenario_json.h"

namespace moesim::detail {

using nlohmann::json;

// The diagnostics of one load. Problems with a value (bad type, out of range,
// missing) are counted apart: the parsed struct keeps its default there, so a
// part's semantic checks (validate(ModelSpec), ...) run only when its reads
// had none, instead of reporting consequences of those defaults.
class ParseLog {
 public:
  void bad_value(const JsonLocation& at, std::string message);
  // Any other problem: an unknown key, a key that does not apply, a failed check.
  // `related`: the other values a cross-value check read (Diagnostic::related).
  void error(const JsonLocation& at, std::string message,
             const std::vector<JsonLocation>& related = {});
  size_t size() const { return diagnostics_.size(); }
  size_t bad_values() const { return bad_values_; }
  const Diagnostics& diagnostics() const { return diagnostics_; }

 private:
  Diagnostics diagnostics_;
  size_t bad_values_ = 0;
};

// A value as a message shows it: "\"16\" (string)", "-3", "1.5", "true (boolean)",
// "null", "an object", "an array". Long strings are shortened.
std::string describe(const json& v);
// "\"a\", \"b\" or \"c\"" (quoted) / "a, b or c" (plain).
std::string quoted_list(const std::vector<std::string>& names);
std::string plain_list(const std::vector<std::string>& names);

// Integer fields accept JSON integers and integral floats (4096.0), in [min, max].
struct IntRule {
  std::int64_t min;
  std::int64_t max;
  const char* expected;  // completes "expected ..."
  const char* above_max = nullptr;  // completes "expected ..." for a value over max, if set
};
inline constexpr IntRule kPositiveInt{1, INT_MAX, "a positive integer"};
inline constexpr IntRule kNonNegativeInt{0, INT_MAX, "a non-negative integer"};

// Number fields accept any finite JSON number above (or at) `min`, and at
// most `max` (above it the message says `above_max`).
struct NumberRule {
  double min;
  bool min_inclusive;
  bool integral;  // whole numbers only, e.g. a step count beyond int range
  const char* expected;
  double max = 1e300;
  const char* above_max = "a smaller number";
};
inline constexpr NumberRule kPositiveNumber{0.0, false, false, "a positive number"};
inline constexpr NumberRule kNonNegativeNumber{0.0, true, false, "a non-negative number"};

// Checks one value; on a problem reports "expected <rule>, found <value>" at `at`.
std::optional<int> read_int(const json& v, const JsonLocation& at, const IntRule& rule,
                            ParseLog& log);
std::optional<double> read_number(const json& v, const JsonLocation& at, const NumberRule& rule,
                                  ParseLog& log);

// {to_string(v), v} for each value: the JSON spelling of an enum is the one
// to_string() gives, so that it is written down once.
template <class E>
std::vector<std::pair<std::string, E>> name_table(std::initializer_list<E> values) {
  std::vector<std::pair<std::string, E>> table;
  for (E v : values) table.emplace_back(to_string(v), v);
  return table;
}

enum class Presence { kOptional, kRequired };
inline constexpr Presence kOptional = Presence::kOptional;
inline constexpr Presence kRequired = Presence::kRequired;

// Reads one JSON object. Every read_* leaves `out` unchanged when the key is
// absent or its value is bad, and returns true only when it stored a value.
// Call finish() after the last read: it reports unknown keys (suggesting the
// closest known key, else listing them all) and missing required keys.
class ObjectReader {
 public:
  // `what` names the object for a type error: "the plan" -> "expected an object
  // (the plan), found 3".
  ObjectReader(const json& j, JsonLocation where, ParseLog& log, const std::string& what);

  bool valid() const { return object_ != nullptr; }
  const JsonLocation& where() const { return where_; }
  ParseLog& log() const { return log_; }
  // HuggingFace configs: null means absent, and keys we do not use are fine.
  void set_lenient() { lenient_ = true; }

  bool has(const std::string& key) const;
  // The value under `key` (now counted as read), or nullptr when absent.
  const json* get(const std::string& key, Presence p, const std::string& expected);

  bool read(const std::string& key, int& out, const IntRule& rule, Presence p = kOptional);
  bool read(const std::string& key, double& out, const NumberRule& rule, Presence p = kOptional);
  bool read(const std::string& key, bool& out, Presence p = kOptional);
  bool read(const std::string& key, std::string& out, Presence p = kOptional);
  // One of `names`; returns its index, or -1 when absent or bad.
  int read_choice(const std::string& key, const std::vector<std::string>& names,
                  Presence p = kOptional);
  template <class E>
  bool read_enum(const std::string& key, E& out,
                 const std::vector<std::pair<std::string, E>>& table, Presence p = kOptional) {
    std::vector<std::string> names;
    for (const auto& [name, value] : table) names.push_back(name);
    const int i = read_choice(key, names, p);
    if (i >= 0) out = table[static_cast<size_t>(i)].second;
    return i >= 0;
  }

  void ignore(const std::string& key);  // known, accepted, unused (e.g. "source")
  // A key that is known but wrong here (e.g. an MLA key in GQA attention):
  // reported with `why` when present.
  void reject(const std::string& key, const std::string& why);
  void finish();

 private:
  const json* object_ = nullptr;
  JsonLocation where_;
  ParseLog& log_;
  bool lenient_ = false;
  std::vector<std::string> known_;     // keys asked for, in order
  std::vector<std::string> rejected_;  // known keys that are wrong in this object
  std::vector<std::string> missing_;   // required keys that were absent
  std::vector<std::string> expected_;  // what each missing key should be
};

// Reports "field: message" strings from validate(ModelSpec / ClusterSpec) at
// root/field, renaming fields through `rename` when given (HF key names). With
// `doc` (the object at root), a field absent from it is reported at its parent
// as a missing key whose default does not fit.
void report_field_messages(const std::vector<std::string>& messages, const JsonLocation& root,
                           ParseLog& log,
                           const std::vector<std::pair<std::string, std::string>>* rename,
                           const json* doc);

}  // namespace moesim::detail
