#pragma once
// The fuzzers of parsers that take parsed JSON: the input as JSON, or none
// when it is not JSON (the file reader's concern, fuzzed by scenario_fuzzer).
#include <cstddef>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

namespace moesim::fuzz {

inline std::optional<nlohmann::json> as_json(const std::uint8_t* data, std::size_t size) {
  try {
    return nlohmann::json::parse(reinterpret_cast<const char*>(data),
                                 reinterpret_cast<const char*>(data) + size);
  } catch (const nlohmann::json::exception&) {  // syntax, or a number out of range
    return std::nullopt;
  }
}

}  // namespace moesim::fuzz
