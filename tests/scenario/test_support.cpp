#include "tests/scenario/test_support.h"

#include <filesystem>
#include <fstream>

#include "sim/scenario/part_references.h"

namespace moesim::test {

std::string source_path(const std::string& relative) {
  return std::string(MOESIM_SOURCE_DIR) + "/" + relative;
}

json read_json(const std::string& relative) {
  std::ifstream in(source_path(relative));
  return json::parse(in);
}

json headline_inline() {
  json j = read_json("scenarios/deepseek-v3-pretrain-2048xH800.json");
  for (const char* part : {"model", "cluster", "plan", "precision", "training"}) {
    if (!j[part].is_string()) continue;
    const std::string ref = "scenarios/" + j[part].get<std::string>();
    j[part] = read_json(ref);
    // Its own references named absolutely, so that tests may parse it with
    // any base folder.
    rebase_part_references(j[part], part, std::filesystem::path(source_path(ref)).parent_path(),
                           source_path("scenarios"));
    if (j[part].contains("calibration_profile"))
      j[part]["calibration_profile"] =
          source_path("scenarios/" + j[part]["calibration_profile"].get<std::string>());
  }
  return j;
}

Diagnostics parse_errors(const json& j) {
  try {
    parse_scenario(j, "test.json", source_path("scenarios"));
  } catch (const InputError& e) {
    return e.diagnostics();
  }
  return {};
}

Diagnostics load_errors(const std::string& relative) {
  try {
    load_scenario(source_path(relative));
  } catch (const InputError& e) {
    return e.diagnostics();
  }
  return {};
}

::testing::AssertionResult has_diagnostic(const Diagnostics& d, const std::string& file,
                                          const std::string& path,
                                          const std::vector<std::string>& fragments) {
  for (const auto& item : d.items()) {
    if (item.file != file || item.path != path) continue;
    bool all = true;
    for (const auto& f : fragments) all = all && item.message.find(f) != std::string::npos;
    if (all) return ::testing::AssertionSuccess();
  }
  auto failure = ::testing::AssertionFailure();
  failure << "no diagnostic at " << file << ": " << path << " containing";
  for (const auto& f : fragments) failure << " [" << f << "]";
  failure << "; got " << d.size() << ":\n" << d.to_string();
  return failure;
}

::testing::AssertionResult has_error(const Diagnostics& d, const std::string& path,
                                     const std::vector<std::string>& fragments) {
  return has_diagnostic(d, "test.json", path, fragments);
}

}  // namespace moesim::test
