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

// `plan_global_batch`: the global batch the plan implies (micro_batches x dp x
// micro_batch_size) when it gives micro_batches; a phase may then omit
// "global_batch". `plan_gives_micro_batches` is true even when that product is
// unknown because the plan itself is bad (so as not to report it missing).
TrainingSpec parse_training(const json& j, const JsonLocation& at, ParseLog& log,
                            bool plan_gives_micro_batches, std::optional<int> plan_global_batch);

}  // namespace moesim::detail
