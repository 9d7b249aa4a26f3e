#pragma once
// The validation suite: cases are data (validation/published/*.json), each with
// the reference value, its source and the tolerance; run_validation computes
// the simulated value of each and compares. Three kinds of case, told apart by
// their keys:
//   "model":    a model file; quantity = a field of the report's `model` object
//               (params_total, train_flops_per_token, ...), at "seq_len" (4096)
//   "scenario": a scenario file; quantity = a report field (gpu_hours, ...; an
//               object field reads its "total"); "fidelity": "des" runs the des step;
//               with "minus_scenario", the quantity's difference between the two
//   "schedule": a generated pipeline schedule run with unit costs f, b, w, fb;
//               quantity = max_bubble, peak_activations or parameter_copies
//   "collective": a collective simulated on the SimGrid network (sim/net), e.g.
//               DeepEP dispatch/combine; see validation/published/collective_figures.json
// A relative error |sim - ref| / |ref| at most `tolerance` passes. Every case
// says in "basis" whether its reference was an input of a fit ("fitted": the
// case then proves consistency, not accuracy) or not ("predicted").

#include <string>
#include <vector>

namespace moesim {

struct ValidationCase {
  std::string file;     // the data file the case came from
  std::string name;
  std::string kind;     // "model", "scenario", "schedule"
  std::string quantity;
  std::string source;
  std::string basis;    // "fitted" or "predicted"
  double reference = 0;
  double tolerance = 0;
};

struct ValidationResult {
  ValidationCase c;
  double simulated = 0;
  double error = 0;  // (simulated - reference) / reference
  bool pass = false;
  std::string problem;  // set when the case could not be computed
};

// Every case of every *.json in `dir` (files in name order, cases in file
// order) whose name contains `filter` (all when empty). Paths inside cases are
// relative to `root` (the repository root). Throws InputError on malformed data.
std::vector<ValidationResult> run_validation(const std::string& dir, const std::string& root,
                                             const std::string& filter);

}  // namespace moesim
