#pragma once
// File references inside scenario parts: a part resolves them relative to the
// file it is written in (cluster_json.cpp), so a part copied into another file
// (inlined into a scenario, or saved elsewhere) must have them rewritten to
// name the same files from there. Today one key is such a reference: the
// cluster's "calibration_profile".
//
// Works on nlohmann::json and nlohmann::ordered_json alike.

#include <filesystem>
#include <string>

namespace moesim {

// Rewrites `part` (the scenario part named `name`: "cluster", ...) as read from
// a file in `from_dir` so that it means the same written in a file in `to_dir`.
// Absolute references and anything that is not a string are left alone.
template <class Json>
void rebase_part_references(Json& part, const std::string& name,
                            const std::filesystem::path& from_dir,
                            const std::filesystem::path& to_dir) {
  if (name != "cluster" || !part.is_object()) return;
  auto it = part.find("calibration_profile");
  if (it == part.end() || !it->is_string()) return;
  const std::filesystem::path ref = it->template get<std::string>();
  if (ref.is_absolute()) return;
  const std::filesystem::path target =
      (std::filesystem::absolute(from_dir) / ref).lexically_normal();
  *it = target.lexically_relative(std::filesystem::absolute(to_dir).lexically_normal())
            .generic_string();
}

}  // namespace moesim
