// libFuzzer entry point for what `moesim calibrate --trace`, `moesim
// compare-trace` and the studio's measured-vs-simulated tab read from a
// user: a PyTorch profiler trace (summarized with the shipped kernel map)
// and a kernel map (--map, its "match" rules ECMAScript regexes). Any JSON
// ends in a result or an InputError with diagnostics; anything else (a crash,
// a regex that overflows the stack or never returns) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sim/core/diagnostics.h"
#include "sim/trace/kernel_map.h"
#include "sim/trace/kineto_trace.h"
#include "sim/trace/trace_summary.h"
#include "tests/fuzz/fuzz_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::optional<nlohmann::json> j = moesim::fuzz::as_json(data, size);
  if (!j) return 0;
  try {
    moesim::summarize_trace(moesim::parse_kineto_trace(*j, "fuzz-trace.json"),
                            moesim::default_kernel_map());
  } catch (const moesim::InputError& e) {
    if (e.diagnostics().empty()) std::abort();
  }
  try {
    const moesim::KernelMap m = moesim::parse_kernel_map(*j, "fuzz-map.json");
    m.classify("void deep_gemm::fp8_gemm_kernel<128u, 4096u, 7168u>(float*, int)");
    m.stage("mlp(B)");
  } catch (const moesim::InputError& e) {
    if (e.diagnostics().empty()) std::abort();
  }
  return 0;
}
