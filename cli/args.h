#pragma once
// A small option parser shared by the subcommands: positional arguments plus
// `--name VALUE` / `--name=VALUE` options (one-letter ones also `-jVALUE`) and
// boolean flags. Unknown options are usage errors with a did-you-mean.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace moesim::cli {

struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // "--format" -> "json"
  std::set<std::string> flags;                 // "--help"
  std::optional<std::string> get(const std::string& name) const;
};

// Throws InputError ("<command-line>", option, message) on unknown options or a
// missing value.
ParsedArgs parse_args(const std::vector<std::string>& args,
                      const std::vector<std::string>& value_options,
                      const std::vector<std::string>& flag_options);

// The -j option: a thread count in 1..1024; all cores when absent.
int parse_jobs(const ParsedArgs& a);

}  // namespace moesim::cli
