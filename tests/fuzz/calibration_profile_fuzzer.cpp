// libFuzzer entry point for calibration profiles (what `moesim calibrate`
// and a cluster's "calibration_profile" read): any JSON ends in a profile or
// an InputError with diagnostics; anything else is a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sim/core/diagnostics.h"
#include "sim/hw/calibration_profile.h"
#include "tests/fuzz/fuzz_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::optional<nlohmann::json> j = moesim::fuzz::as_json(data, size);
  if (!j) return 0;
  try {
    moesim::parse_calibration_profile(*j, "fuzz-profile.json");
  } catch (const moesim::InputError& e) {
    if (e.diagnostics().empty()) std::abort();
  }
  return 0;
}
