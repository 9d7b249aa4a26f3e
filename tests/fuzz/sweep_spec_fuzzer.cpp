// libFuzzer entry point for sweep specs: any input ends in a SweepSpec or an
// InputError (with diagnostics); any other exception escapes and libFuzzer
// reports it as a crash. "base" resolves against scenarios/sweeps/ so the
// seed corpus can name the shipped scenarios.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sim/core/diagnostics.h"
#include "sim/sweep/sweep_points.h"
#include "sim/sweep/sweep_spec.h"
#include "tests/fuzz/fuzz_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::optional<nlohmann::json> j = moesim::fuzz::as_json(data, size);
  if (!j) return 0;
  try {
    const moesim::SweepSpec s =
        moesim::parse_sweep_spec(*j, MOESIM_SOURCE_DIR "/scenarios/sweeps/fuzz.json");
    // Accepted: its points must enumerate (first, last) without failing.
    const moesim::ShardPoints p(s, 1, 1);
    if (p.size() > 0) {
      moesim::point_scenario(s, moesim::point_values(s, p.index_at(0)));
      moesim::point_scenario(s, moesim::point_values(s, p.index_at(p.size() - 1)));
    }
  } catch (const moesim::InputError& e) {
    if (e.diagnostics().empty()) std::abort();
  }
  return 0;
}
