// libFuzzer entry point for calibration profiles (what `moesim calibrate`
// and a cluster's "calibration_profile" read): any JSON ends in a profile or
// an InputError with diagnostics; anything else is a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sim/core/diagnostics.h"
#include "sim/hw/calibration_profile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(reinterpret_cast<const char*>(data),
                              reinterpret_cast<const char*>(data) + size);
  } catch (const nlohmann::json::parse_error&) {
    return 0;
  }
  try {
    moesim::parse_calibration_profile(j, "fuzz-profile.json");
  } catch (const moesim::InputError& e) {
    if (e.diagnostics().empty()) std::abort();
  }
  return 0;
}
