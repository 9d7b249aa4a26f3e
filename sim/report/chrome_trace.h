#pragma once
// Chrome trace JSON (the Trace Event Format that Perfetto and chrome://tracing
// open) of a step timeline: one track per pipeline rank, one complete event
// ("ph": "X") per instruction named by kind, micro-batch and stage, then the
// step-boundary DP sync and optimizer. Times in microseconds. Deterministic.

#include <string>

#include "sim/report/step_timeline.h"

namespace moesim {

std::string chrome_trace_json(const StepTimeline& t, const std::string& title);

}  // namespace moesim
