#pragma once
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace moesim::testing {

struct CliResult {
  int code = 0;
  std::string out, err;
};

inline CliResult run_cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliResult r;
  r.code = cli::main(args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace moesim::testing
