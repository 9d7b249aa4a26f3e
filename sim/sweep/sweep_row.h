#pragma once
// One evaluated sweep point as a flat record: the varied parameters, the
// report's scalar fields, the fidelity and the moesim version. The same record
// renders as a JSON line and as a CSV row; both are deterministic. Column names
// are a persistent format: DO NOT RENAME, add new ones at the end.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sweep/sweep_spec.h"

namespace moesim {

struct SweepRow {
  uint64_t index = 0;
  nlohmann::json fields;  // column -> value
  bool feasible() const { return fields.value("status", "") == "ok"; }
};

// "index", "status", "reason", then one column per parameter (its pointer with
// '/' turned into '.', e.g. "plan.ep"), then the report fields.
std::vector<std::string> sweep_columns(const SweepSpec& s);

// Evaluates point `index`: a plan the checks reject gives status "invalid" and
// the first reason; one that violates a constraint, "rejected" and which.
// Thread-safe (pure apart from reading nothing: the spec is already in memory).
SweepRow evaluate_point(const SweepSpec& s, uint64_t index);

std::string row_jsonl(const SweepRow& r);  // one line, no trailing newline
std::string csv_header(const std::vector<std::string>& columns);
std::string row_csv(const SweepRow& r, const std::vector<std::string>& columns);

// The column name of a parameter path ("/plan/ep" -> "plan.ep").
std::string parameter_column(const std::string& path);

}  // namespace moesim
