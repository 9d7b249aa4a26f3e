// libFuzzer entry point for HuggingFace config.json files (a scenario's model
// may be one): any JSON ends in a ModelSpec that validate() accepts or in an
// InputError with diagnostics; anything else is a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sim/core/diagnostics.h"
#include "sim/scenario/scenario_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(reinterpret_cast<const char*>(data),
                              reinterpret_cast<const char*>(data) + size);
  } catch (const nlohmann::json::parse_error&) {
    return 0;
  }
  try {
    const moesim::ModelSpec m = moesim::model_from_hf_config(j, "fuzz-config.json");
    if (!moesim::validate(m).empty()) std::abort();  // accepted but invalid: a bug
  } catch (const moesim::InputError& e) {
    if (e.diagnostics().empty()) std::abort();
  }
  return 0;
}
