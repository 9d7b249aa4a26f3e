#pragma once
// Checks shared by the small JSON formats outside the scenario parser (sweep
// specs, calibration profiles, validation cases): unknown keys with a
// did-you-mean, and reading a whole file as JSON. Problems become diagnostics.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/diagnostics.h"

namespace moesim {

// One diagnostic per key of `obj` not in `allowed`, at `at`/key, with the
// closest allowed key as a suggestion (or the list when none is close).
void report_unknown_keys(const nlohmann::json& obj, const std::string& file, const std::string& at,
                         const std::vector<std::string>& allowed, Diagnostics& d);

// The file's JSON, or null with a diagnostic naming `shown` (cannot open and
// why, sim/core/input_file.h; not valid JSON with the parser's position).
nlohmann::json read_json_file(const std::string& path, const std::string& shown, Diagnostics& d);

// A JSON parser message with the token it quotes ("last read: '...'") cut to
// a short excerpt (input_excerpt), so a huge or binary input is not echoed.
std::string shorten_json_error(const std::string& what);

}  // namespace moesim
