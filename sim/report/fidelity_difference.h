#pragma once
// Why a des step differs from the analytic one of the same scenario: one line
// per part of the breakdown that moved by 1% of the analytic step or more,
// with the modelling difference that moves it. Empty for analytic estimates.
#include <string>
#include <vector>

#include "sim/cost/estimate.h"

namespace moesim {

// `plan`: the scenario's, whose schedule and overlap decide how the analytic
// model overlaps.
std::vector<std::string> fidelity_differences(const Estimate& e, const ParallelPlan& plan);

}  // namespace moesim
