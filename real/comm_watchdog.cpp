#include "real/comm_watchdog.h"

#include <cstdio>
#include <stdexcept>

namespace moesim::real {

WaitResult wait_with_deadline(const WaitHooks& hooks, double timeout_s) {
  if (!hooks.poll || !hooks.now_s || !hooks.pause || !(timeout_s > 0))
    throw std::invalid_argument("wait_with_deadline: every hook and a timeout > 0 are required");
  const double start = hooks.now_s();
  for (;;) {
    const PollResult p = hooks.poll();
    const double waited = hooks.now_s() - start;
    if (!p.error.empty()) return WaitResult{WaitOutcome::kFailed, p.error, waited};
    if (p.done) return WaitResult{WaitOutcome::kDone, "", waited};
    if (waited >= timeout_s) return WaitResult{WaitOutcome::kTimedOut, "", waited};
    hooks.pause();
  }
}

std::string describe(const WaitResult& r, const std::string& what, double timeout_s) {
  char b[64];
  switch (r.outcome) {
    case WaitOutcome::kDone:
      std::snprintf(b, sizeof b, "%.3f s", r.waited_s);
      return what + ": done after " + b;
    case WaitOutcome::kFailed:
      return what + ": failed: " + r.error;
    case WaitOutcome::kTimedOut:
      std::snprintf(b, sizeof b, "%g s", timeout_s);
      return what + ": timed out after " + b +
             " (a peer may have died or never started; see --timeout)";
  }
  return what;
}

}  // namespace moesim::real
