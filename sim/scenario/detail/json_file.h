#pragma once
// Reading JSON documents from disk for the scenario parsers, with problems
// reported as diagnostics (never as nlohmann or I/O exceptions).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sim/scenario/detail/json_reader.h"

namespace moesim::detail {

// Reads and parses the file at `path` (a display path, used as given).
// A file that cannot be opened is reported at `referenced_from` when another
// file named it (with a did-you-mean over the .json files beside it), else at
// the file itself; a syntax error is reported in the file with its line and
// column. Returns nullopt after any problem.
std::optional<json> read_json_file(const std::string& path, ParseLog& log,
                                   const JsonLocation* referenced_from = nullptr,
                                   const std::string& reference = "");

// Parses JSON text that came from `file`; a syntax error is reported there with
// its line and column.
std::optional<json> parse_json_text(const std::string& text, const std::string& file,
                                    ParseLog& log);

// `reference` resolved against `base_dir` (absolute references are kept), in
// normal form: "scenarios" + "models/x.json" -> "scenarios/models/x.json".
std::string resolve_reference(const std::string& base_dir, const std::string& reference);

// The directory that holds `file`, for resolving its references ("" = current).
std::string directory_of(const std::string& file);

}  // namespace moesim::detail
