#pragma once
// Scenario and model files (JSON, nlohmann/json 3.11) -> the values of scenario.h.
// The format is a persistent, user-written interface: docs/scenario-format.md is
// its reference, and every key name here appears in checked-in files. DO NOT
// RENAME KEYS; add new ones with defaults that keep old files meaning the same.
//
// Errors: every function reports bad input by throwing InputError carrying *all*
// the problems it found, each naming the file (as the user wrote it, relative
// references resolved against the referencing file's directory), the JSON
// pointer inside that file, and what was expected and found. Unreadable files
// are InputError diagnostics too. Nothing here prints or exits.
// Thread safety: all functions are pure apart from reading the named files.

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/model/model_spec.h"
#include "sim/scenario/scenario.h"

namespace moesim {

// A place in a JSON document: the file as the user named it ("<inline>" for
// values built in memory) and an RFC 6901 pointer inside it ("" = the root).
struct JsonLocation {
  std::string file = "<inline>";
  std::string pointer;

  JsonLocation operator/(const std::string& key) const;  // escapes '~' and '/'
  JsonLocation operator/(size_t index) const;
  bool operator==(const JsonLocation& o) const { return file == o.file && pointer == o.pointer; }
};

// Where each part of a scenario was written: the scenario file and "/plan" when
// the part is inline, the referenced file and "" when it lives in its own file.
// The defaults describe a scenario whose parts are all inline in "<inline>".
struct ScenarioSources {
  JsonLocation scenario{"<inline>", ""};
  JsonLocation model{"<inline>", "/model"};
  JsonLocation cluster{"<inline>", "/cluster"};
  JsonLocation plan{"<inline>", "/plan"};
  JsonLocation precision{"<inline>", "/precision"};
  JsonLocation training{"<inline>", "/training"};
  bool model_is_hf_config = false;  // model keys are HuggingFace names (hidden_size, ...)
  bool operator==(const ScenarioSources& o) const;
};

struct LoadedScenario {
  Scenario scenario;
  ScenarioSources sources;
};

// Reads, resolves and validates the scenario file at `path`.
Scenario load_scenario(const std::string& path);
// The same, also telling where each part was written (for later diagnostics).
LoadedScenario load_scenario_with_sources(const std::string& path);

// Parses a scenario document already in memory. `file` names it in diagnostics;
// parts given as paths are resolved against `base_dir` ("" = current directory).
Scenario parse_scenario(const nlohmann::json& j, const std::string& file,
                        const std::string& base_dir);
LoadedScenario parse_scenario_with_sources(const nlohmann::json& j, const std::string& file,
                                           const std::string& base_dir);
// The same from JSON text (e.g. an editor's buffer); syntax errors are
// diagnostics with line and column.
Scenario parse_scenario_text(const std::string& text, const std::string& file,
                             const std::string& base_dir);

// Reads a model file: the moesim model format, or a HuggingFace config.json
// (recognised by its "model_type" key).
ModelSpec load_model(const std::string& path);

// Maps a HuggingFace config.json (families: hf_model_types()) to a ModelSpec.
// Keys the simulator does not use are ignored; the ones it needs are required.
ModelSpec model_from_hf_config(const nlohmann::json& j, const std::string& file);
// {"deepseek_v3", "deepseek_v2", "llama", "qwen2", "mixtral"}
std::vector<std::string> hf_model_types();

// Every problem with the scenario's values, single-part (ranges, validate() of
// the model and cluster) and cross-part (the parallel plan against the model,
// cluster and batch sizes; docs/scenario-format.md, "Checks"). Never throws.
// load_scenario already runs these checks; call this after editing a Scenario.
Diagnostics validate_scenario(const Scenario& s, const ScenarioSources& where = {});

}  // namespace moesim
