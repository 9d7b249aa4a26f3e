#pragma once
// A sweep: a base scenario, the parameters to vary (JSON pointers into the
// scenario with its parts inlined), how to combine them, optional random
// sampling, constraints and an objective. The file format is documented in
// docs/sweeps.md and is persistent: DO NOT RENAME KEYS.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace moesim {

struct SweepParameter {
  std::string path;                   // JSON pointer, e.g. "/plan/ep"
  std::vector<nlohmann::json> values; // expanded from values / range / log_range
};

enum class SweepCombine { kGrid, kZip };
enum class SweepObjective { kCost, kGpuHours, kWallTime };

struct SweepConstraints {
  bool must_fit = false;
  std::optional<int> min_gpus, max_gpus;
  std::optional<double> max_wall_days;
  std::optional<double> max_cost_usd;
};

struct SweepSpec {
  std::string file;              // the spec file as named
  std::string base_path;         // the base scenario, resolved
  nlohmann::json base;           // the base scenario with every part inlined
  std::string base_dir;          // for paths left inside the base (none after inlining)
  std::vector<SweepParameter> parameters;
  SweepCombine combine = SweepCombine::kGrid;
  std::optional<int> sample_count;
  uint64_t sample_seed = 1;
  bool derive_dp = false;        // dp = GPUs / (pp x tp x cp) at every point
  SweepConstraints constraints;
  SweepObjective objective = SweepObjective::kCost;
  int top = 10;                  // best scenarios listed in the summary
  bool des = false;              // "fidelity": "des" (default "analytic")
};

// Reads, expands and checks a spec; every problem (unknown key or parameter,
// empty range, zip of unequal lengths, contradictory constraints, a base that
// does not load) is collected into one InputError before any work starts.
SweepSpec load_sweep_spec(const std::string& path);
// The same for a spec already parsed as JSON; `path` names it in errors and
// its folder resolves "base".
SweepSpec parse_sweep_spec(const nlohmann::json& j, const std::string& path);

// A stable identity of the sweep's points (spec expanded + base inlined), so that
// resumed runs and shards can check they belong to the same sweep.
std::string sweep_fingerprint(const SweepSpec& s);

const char* to_string(SweepObjective o);

}  // namespace moesim
