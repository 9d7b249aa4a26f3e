#pragma once
// The parsers of the five scenario parts. Each reads one JSON object at `at`,
// reports every problem into `log` and returns a value that holds the struct
// defaults wherever the input was bad: callers decide from log.size() whether
// the part is usable. None of them throws.

#include <optional>

#include "sim/hw/cluster_spec.h"
#include "sim/model/model_spec.h"
#include "sim/scenario/detail/json_reader.h"
#include "sim/scenario/scenario.h"

namespace moesim::detail {

// True when `j` looks like a HuggingFace config.json (it has "model_type").
bool is_hf_config(const json& j);

// The moesim model format (model_json.cpp), then validate(ModelSpec).
ModelSpec parse_moesim_model(const json& j, const JsonLocation& at, ParseLog& log);
// A HuggingFace config.json (hf_config.cpp), then validate(ModelSpec) with its
// messages mapped to the HF key names.
ModelSpec parse_hf_config(const json& j, const JsonLocation& at, ParseLog& log);
// Either of the two, by is_hf_config().
ModelSpec parse_model(const json& j, const JsonLocation& at, ParseLog& log);
// moesim field names of validate(ModelSpec) -> the HuggingFace key names of
// the family `m` came from (Mixtral names its expert fields differently).
const std::vector<std::pair<std::string, std::string>>& hf_field_names(const ModelSpec& m);

// `dir`: what the cluster's own file references (calibration_profile) are
// relative to: the folder of the file the cluster object is written in.
ClusterSpec parse_cluster(const json& j, const JsonLocation& at, ParseLog& log,
                          const std::string& dir);
ParallelPlan parse_plan(const json& j, const JsonLocation& at, ParseLog& log);
PrecisionSpec parse_precision(const json& j, const JsonLocation& at, ParseLog& log);

// The global batch a plan with micro_batches implies (micro_batches x dp x
// micro_batch_size), when it fits an int (else reported at `at`).
std::optional<int> plan_global_batch(const ParallelPlan& p, const JsonLocation& at, ParseLog& log);

// What the phases need of the scenario's plan. `global_batch`: the global
// batch the plan implies when it gives micro_batches; a phase may then omit
// "global_batch". `gives_micro_batches` is true even when that product is
// unknown because the plan itself is bad (so as not to report it missing).
// `doc`: the plan's object, which a phase's own "plan" keys are taken over;
// null when the plan did not parse cleanly (a phase's plan is then not read).
struct BasePlan {
  const json* doc = nullptr;
  bool gives_micro_batches = false;
  std::optional<int> global_batch;
};
TrainingSpec parse_training(const json& j, const JsonLocation& at, ParseLog& log,
                            const BasePlan& plan);

}  // namespace moesim::detail
