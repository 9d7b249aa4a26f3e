#pragma once
// Rendering of estimates for programs (JSON) and people (text, Markdown).
// The JSON field names are a public format that scripts depend on: DO NOT
// RENAME a field; add new ones instead. Output is deterministic: the same
// estimate always renders to the same bytes.

#include <string>

#include <nlohmann/json.hpp>

#include "sim/cost/estimate.h"
#include "sim/model/accounting.h"
#include "sim/model/model_spec.h"

namespace moesim {

enum class ReportFormat { kText, kJson, kMarkdown };

// The `model` object of a report (also what `moesim model --format json` prints).
nlohmann::json model_json(const ModelSpec& m, const ModelSummary& s);
nlohmann::json estimate_json(const Scenario& s, const Estimate& e);

std::string render_estimate(const Scenario& s, const Estimate& e, ReportFormat f);
// The same with `preamble` (text in the format's own markup, ending in a
// newline) after the title and fidelity lines: where a result came from, e.g.
// the values a studio sweep point changes. Text and Markdown only; JSON
// callers add their own key.
std::string render_estimate(const Scenario& s, const Estimate& e, ReportFormat f,
                            const std::string& preamble);
std::string render_model(const ModelSpec& m, const ModelSummary& s, ReportFormat f);

extern const char* const kMoesimVersion;

}  // namespace moesim
