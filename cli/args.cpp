#include "cli/args.h"

#include <algorithm>
#include <thread>

#include "sim/core/diagnostics.h"

namespace moesim::cli {

std::optional<std::string> ParsedArgs::get(const std::string& name) const {
  auto it = options.find(name);
  if (it == options.end()) return std::nullopt;
  return it->second;
}

ParsedArgs parse_args(const std::vector<std::string>& args,
                      const std::vector<std::string>& value_options,
                      const std::vector<std::string>& flag_options) {
  ParsedArgs p;
  Diagnostics d;
  std::vector<std::string> all = value_options;
  all.insert(all.end(), flag_options.begin(), flag_options.end());
  auto is_in = [](const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v)
      if (x == s) return true;
    return false;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-' || a == "-") {
      p.positional.push_back(a);
      continue;
    }
    std::string name = a, value;
    bool has_value = false;
    const auto eq = a.find('=');
    if (eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    if (name == "-h") name = "--help";
    // A one-letter value option may carry its value attached: -j4 as -j 4.
    if (!has_value && a[1] != '-' && a.size() > 2 && !is_in(all, name) &&
        is_in(value_options, a.substr(0, 2))) {
      name = a.substr(0, 2);
      value = a.substr(2);
      has_value = true;
    }
    if (is_in(flag_options, name) && !has_value) {
      p.flags.insert(name);
    } else if (is_in(value_options, name)) {
      if (!has_value) {
        if (i + 1 >= args.size()) {
          d.add("<command line>", name, "expected a value after " + name);
          continue;
        }
        value = args[++i];
      }
      p.options[name] = value;
    } else {
      const std::string hint = closest_match(name, all);
      d.add("<command line>", name,
            "unknown option" + (hint.empty() ? std::string() : "; did you mean " + hint + "?"));
    }
  }
  d.throw_if_any();
  return p;
}

int parse_jobs(const ParsedArgs& a) {
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  auto v = a.get("-j");
  if (!v) return static_cast<int>(hw);
  try {
    size_t used = 0;
    const int n = std::stoi(*v, &used);
    if (used == v->size() && n >= 1 && n <= 1024) return n;
  } catch (const std::exception&) {
  }
  Diagnostics d;
  d.add("<command line>", "-j", "expected a thread count in 1..1024, found \"" + *v + "\"");
  throw InputError(d);
}

}  // namespace moesim::cli
