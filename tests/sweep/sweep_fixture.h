#pragma once
// Temporary folders and spec files for the sweep tests. Specs name the base
// scenario by absolute path so they can live anywhere.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace moesim::testing {

// A folder of its own for the calling test: the test's name and the process id
// keep tests that ctest runs in parallel out of each other's way.
inline std::string fresh_dir(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string test = info ? std::string(info->test_suite_name()) + "." + info->name() : "";
  const auto p = std::filesystem::temp_directory_path() /
                 ("moesim_sweep_test_" + test + "_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

inline std::string headline_path() {
  return std::string(MOESIM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xH800.json";
}

// Writes `body` (JSON text; "$BASE" is replaced by the headline's path) to dir/name.
inline std::string write_spec(const std::string& dir, const std::string& name, std::string body) {
  const std::string key = "$BASE";
  for (size_t at; (at = body.find(key)) != std::string::npos;)
    body.replace(at, key.size(), headline_path());
  const std::string path = dir + "/" + name;
  std::ofstream(path) << body;
  return path;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// 4 x 3 x 2 = 24 points, some infeasible (does not fit) and some invalid (EP 48).
inline const char* kSmallSweep = R"({
  "base": "$BASE",
  "parameters": [
    { "path": "/cluster/ib_GB_per_s", "values": [25, 40, 50, 100] },
    { "path": "/plan/ep", "values": [16, 48, 64] },
    { "path": "/plan/schedule", "values": ["zb1p", "dualpipe"] }
  ],
  "constraints": { "must_fit": true },
  "objective": "gpu_hours"
})";

}  // namespace moesim::testing
