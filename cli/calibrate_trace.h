#pragma once
// `moesim calibrate --trace` and the pieces compare-trace shares with it.

#include <optional>
#include <ostream>
#include <string>

#include "sim/trace/kernel_map.h"
#include "sim/trace/trace_summary.h"

namespace moesim::cli {

// The shipped kernel map, with a user's rules first when given.
KernelMap kernel_map_for(const std::optional<std::string>& user_map);

// Device, kernel counts, busy times per class, and every unclassified kernel.
void print_trace_overview(const TraceSummary& t, std::ostream& out);

int calibrate_trace(const std::string& trace_path, const std::string& scenario_path,
                    const std::optional<std::string>& user_map, const std::string& output,
                    std::ostream& out, std::ostream& err);

}  // namespace moesim::cli
