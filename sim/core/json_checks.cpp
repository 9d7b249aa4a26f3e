#include "sim/core/json_checks.h"

#include "sim/core/input_file.h"

namespace moesim {

void report_unknown_keys(const nlohmann::json& obj, const std::string& file, const std::string& at,
                         const std::vector<std::string>& allowed, Diagnostics& d) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const auto& a : allowed) ok |= a == it.key();
    if (ok) continue;
    const std::string hint = closest_match(it.key(), allowed);
    std::string msg = "unknown key \"" + it.key() + "\"";
    if (!hint.empty()) {
      msg += "; did you mean \"" + hint + "\"?";
    } else {
      msg += "; expected one of:";
      for (const auto& a : allowed) msg += " " + a;
    }
    d.add(file, at + "/" + it.key(), msg);
  }
}

nlohmann::json read_json_file(const std::string& path, const std::string& shown, Diagnostics& d) {
  const InputFile f = read_input_file(path);
  if (!f.text) {
    d.add(shown, "", "cannot open file: " + f.problem);
    return nullptr;
  }
  try {
    return nlohmann::json::parse(*f.text);
  } catch (const nlohmann::json::parse_error& e) {
    d.add(shown, "", "not valid JSON: " + shorten_json_error(e.what()));
    return nullptr;
  }
}

std::string shorten_json_error(const std::string& what) {
  const std::string mark = "last read: '";
  const size_t at = what.find(mark);
  if (at == std::string::npos) return input_excerpt(what, 400);
  const size_t from = at + mark.size();
  const size_t to = what.rfind('\'');
  const std::string token = to > from ? what.substr(from, to - from) : what.substr(from);
  return what.substr(0, from) + input_excerpt(token) + "'";
}

}  // namespace moesim
