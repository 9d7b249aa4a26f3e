#pragma once
// Why a des step differs from the analytic one of the same scenario: one line
// per part of the breakdown that moved by 1% of the analytic step or more,
// with the modelling difference that moves it. Empty for analytic estimates.
#include <string>
#include <vector>

#include "sim/cost/estimate.h"

namespace moesim {

// `schedule`: the plan's, which decides how the analytic model overlaps.
std::vector<std::string> fidelity_differences(const Estimate& e, ScheduleKind schedule);

}  // namespace moesim
