#pragma once
// Helpers shared by the scenario tests: paths under the source tree, the
// headline scenario with its parts inlined, and matchers for diagnostics.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/scenario/scenario_json.h"

namespace moesim::test {

using nlohmann::json;

// MOESIM_SOURCE_DIR + "/" + relative.
std::string source_path(const std::string& relative);
json read_json(const std::string& relative);

// scenarios/deepseek-v3-pretrain-2048xH800.json with every referenced part
// replaced by the object of its file.
json headline_inline();

// The diagnostics parse_scenario() throws for `j` (named "test.json", parts
// resolved against scenarios/), or none when it parses.
Diagnostics parse_errors(const json& j);
// The same for load_scenario() of a file under the source tree.
Diagnostics load_errors(const std::string& relative);

// Succeeds when some diagnostic is at `file` and `path` and its message
// contains every fragment; the failure message lists all diagnostics.
::testing::AssertionResult has_diagnostic(const Diagnostics& d, const std::string& file,
                                          const std::string& path,
                                          const std::vector<std::string>& fragments);
// has_diagnostic() for parse_errors()'s file name.
::testing::AssertionResult has_error(const Diagnostics& d, const std::string& path,
                                     const std::vector<std::string>& fragments);

}  // namespace moesim::test
