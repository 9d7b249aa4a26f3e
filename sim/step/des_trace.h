#pragma once
// Chrome trace JSON of a des step: per pipeline rank one track for its compute
// stream (the optimizer step included), one for EP/TP communication, one for
// pipeline sends and one for ZeRO DP collectives, so the overlap (and what is
// not overlapped) is visible in Perfetto. Deterministic.

#include <string>

#include "sim/step/des_step.h"

namespace moesim {

std::string des_chrome_trace_json(const DesStep& d, const std::string& title);

}  // namespace moesim
