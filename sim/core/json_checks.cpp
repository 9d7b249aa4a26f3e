#include "sim/core/json_checks.h"

#include <filesystem>
#include <fstream>
#include <sstream>

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
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) {
    d.add(shown, "", "cannot open file");
    return nullptr;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    d.add(shown, "", std::string("not valid JSON: ") + e.what());
    return nullptr;
  }
}

}  // namespace moesim
