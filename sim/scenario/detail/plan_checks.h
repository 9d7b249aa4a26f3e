#pragma once
// The checks behind validate_scenario(), in groups by the parts they read, so
// that a load can skip the groups whose parts already failed to parse (their
// values are defaults, and checking them would only add noise).

#include "sim/scenario/detail/json_reader.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_json.h"

namespace moesim::detail {

struct PartsValid {
  bool model = true;
  bool cluster = true;
  bool plan = true;
  bool precision = true;
  bool training = true;
};

// Runs every check whose parts are valid, reporting at the places `where` gives.
void check_scenario(const Scenario& s, const ScenarioSources& where, const PartsValid& valid,
                    ParseLog& log);

// A training phase's batch and sequence against the plan it runs
// (batch_checks.cpp), reported at the phase (`phase`) or the plan (`plan`).
// REQUIRES: the plan's degrees and micro_batch_size are >= 1.
void check_phase_batch(const ParallelPlan& p, const TrainingPhase& ph, const JsonLocation& phase,
                       const JsonLocation& plan, ParseLog& log);
// A generation phase's batch: at least one sequence per model replica (dp),
// and no context parallelism.
void check_generation_batch(const ParallelPlan& p, const TrainingPhase& ph,
                            const JsonLocation& here, const JsonLocation& plan, ParseLog& log);

// "a x b" products of plan degrees, saturating instead of overflowing.
std::int64_t product(std::initializer_list<std::int64_t> factors);

}  // namespace moesim::detail
