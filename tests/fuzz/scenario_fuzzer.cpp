// libFuzzer entry point for the scenario parser: any input must end either in a
// Scenario that validate_scenario() accepts or in an InputError. Any other
// exception escapes and libFuzzer reports it as a crash, with the input.
// Referenced parts resolve against scenarios/ so that the seed corpus
// (tests/fuzz/corpus/) can name the checked-in model and cluster files.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sim/scenario/scenario_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const moesim::Scenario s =
        moesim::parse_scenario_text(text, "fuzz.json", MOESIM_SOURCE_DIR "/scenarios");
    if (!moesim::validate_scenario(s).empty()) std::abort();  // parsed but invalid: a bug
  } catch (const moesim::InputError& e) {
    if (e.diagnostics().empty()) std::abort();
  }
  return 0;
}
