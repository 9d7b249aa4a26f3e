// libFuzzer entry point for HuggingFace config.json files (a scenario's model
// may be one): any JSON ends in a ModelSpec that validate() accepts or in an
// InputError with diagnostics; anything else is a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sim/core/diagnostics.h"
#include "sim/scenario/scenario_json.h"
#include "tests/fuzz/fuzz_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::optional<nlohmann::json> j = moesim::fuzz::as_json(data, size);
  if (!j) return 0;
  try {
    const moesim::ModelSpec m = moesim::model_from_hf_config(*j, "fuzz-config.json");
    if (!moesim::validate(m).empty()) std::abort();  // accepted but invalid: a bug
  } catch (const moesim::InputError& e) {
    if (e.diagnostics().empty()) std::abort();
  }
  return 0;
}
