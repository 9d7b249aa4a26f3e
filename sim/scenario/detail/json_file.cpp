#include "sim/scenario/detail/json_file.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <vector>

#include "sim/core/input_file.h"
#include "sim/core/json_checks.h"

namespace moesim::detail {

namespace fs = std::filesystem;

namespace {

// The reference with its file name replaced by the closest .json file beside the
// missing one (a plausible typo), or "".
std::string nearby_file(const std::string& resolved, const std::string& reference) {
  const fs::path ref(reference);
  const fs::path dir =
      fs::path(resolved).has_parent_path() ? fs::path(resolved).parent_path() : fs::path(".");
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json") names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());  // directory order is not deterministic
  const std::string near = closest_match(ref.filename().string(), names);
  return near.empty() ? "" : (ref.parent_path() / near).string();
}

// "line 3, column 7: <what>" from nlohmann's text, without its "[json.exception...]" tag.
std::string strip_tag(const std::string& what) {
  const size_t close = what.find("] ");
  return (what.rfind("[json.exception", 0) == 0 && close != std::string::npos)
             ? what.substr(close + 2)
             : what;
}

// Line and column (1-based) of the first occurrence of `token` in `text`.
std::string position_of(const std::string& text, const std::string& token) {
  const size_t at = token.empty() ? std::string::npos : text.find(token);
  if (at == std::string::npos) return "";
  const size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + at, '\n'));
  const size_t line_start = text.rfind('\n', at);
  const size_t column = line_start == std::string::npos ? at + 1 : at - line_start;
  return " at line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::string syntax_message(const json::exception& e, const std::string& text) {
  std::string s = shorten_json_error(strip_tag(e.what()));
  const std::string prefix = "parse error at ";
  if (s.rfind(prefix, 0) == 0) return "invalid JSON at " + s.substr(prefix.size());
  // Out-of-range numbers (1e400) carry no position; find the literal instead.
  const size_t q1 = s.find('\''), q2 = s.rfind('\'');
  const std::string token =
      (q1 != std::string::npos && q2 > q1) ? s.substr(q1 + 1, q2 - q1 - 1) : "";
  return "invalid JSON" + position_of(text, token) + ": " + s;
}

// Follows nlohmann's parse events to find keys given twice in one object, which
// the library would silently collapse to the last value.
class DuplicateKeys {
 public:
  explicit DuplicateKeys(std::string file) : file_(std::move(file)) {}
  std::vector<JsonLocation> found;

  void on(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        frames_.push_back(Frame{false, 0, "", {}});
        break;
      case json::parse_event_t::array_start:
        frames_.push_back(Frame{true, 0, "", {}});
        break;
      case json::parse_event_t::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) found.push_back(here());
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        [[fallthrough]];
      case json::parse_event_t::value:
        if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
        break;
    }
  }

 private:
  struct Frame {
    bool is_array;
    size_t index;
    std::string key;
    std::set<std::string> keys;
  };
  JsonLocation here() const {
    JsonLocation at{file_, ""};
    for (const Frame& f : frames_) at = f.is_array ? at / f.index : at / f.key;
    return at;
  }
  std::string file_;
  std::vector<Frame> frames_;
};

}  // namespace

std::optional<json> read_json_file(const std::string& path, ParseLog& log,
                                   const JsonLocation* referenced_from,
                                   const std::string& reference) {
  const InputFile f = read_input_file(path);
  if (!f.text) {
    if (referenced_from) {
      std::string msg = "cannot open \"" + reference + "\"";
      if (reference != path) msg += " (resolved to " + path + ")";
      msg += ": " + f.problem;
      const std::string near = f.missing ? nearby_file(path, reference) : "";
      if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
      log.error(*referenced_from, msg);
    } else {
      log.error(JsonLocation{path, ""}, "cannot open file: " + f.problem);
    }
    return std::nullopt;
  }
  return parse_json_text(*f.text, path, log);
}

std::optional<json> parse_json_text(const std::string& text, const std::string& file,
                                    ParseLog& log) {
  // A file that does not start like a JSON document (a private key, a
  // binary) is named, never quoted: its bytes stay off the screen.
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos &&
      std::string("{[\"-0123456789tfn").find(text[first]) == std::string::npos) {
    log.error(JsonLocation{file, ""},
              "not a JSON file: it does not start with a JSON value (expected '{' at byte " +
                  std::to_string(first + 1) + ")");
    return std::nullopt;
  }
  DuplicateKeys duplicates(file);
  try {
    json j = json::parse(text, [&](int, json::parse_event_t event, json& parsed) {
      duplicates.on(event, parsed);
      return true;
    });
    if (duplicates.found.empty()) return j;
    for (const auto& at : duplicates.found)
      log.error(at, "duplicate key; JSON keeps only the last value, so give each key once");
  } catch (const json::exception& e) {
    log.error(JsonLocation{file, ""}, syntax_message(e, text));
  } catch (const std::bad_alloc&) {
    log.error(JsonLocation{file, ""},
              "not enough memory to parse this " + std::to_string(text.size()) +
                  "-byte file (a scenario part is kilobytes; is this the right file?)");
  }
  return std::nullopt;
}

std::string resolve_reference(const std::string& base_dir, const std::string& reference) {
  const fs::path ref(reference);
  if (ref.is_absolute() || base_dir.empty()) return ref.lexically_normal().string();
  return (fs::path(base_dir) / ref).lexically_normal().string();
}

std::string directory_of(const std::string& file) { return fs::path(file).parent_path().string(); }

}  // namespace moesim::detail
