#pragma once
// Chrome trace JSON of a des step: per pipeline rank one track for its compute
// stream and one for its communication stream, so the overlap (and what is not
// overlapped) is visible in Perfetto; then DP sync and optimizer. Deterministic.

#include <string>

#include "sim/step/des_step.h"

namespace moesim {

std::string des_chrome_trace_json(const DesStep& d, const std::string& title);

}  // namespace moesim
