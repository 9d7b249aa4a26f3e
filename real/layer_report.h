#pragma once
// What `moesim-real layer` writes ("moesim-layer-1"): one DeepSeek-V3 layer's measured
// pass times on one GPU, keyed as the simulator's per-stage report keys them where they
// overlap (`moesim run --format json`: fwd_s, bwd_input_s, bwd_weight_s, in seconds;
// sim/cost/stage_cost.h UnitCost), plus each pass's spread, each op's median and spread,
// the ops not timed and why, the layer's dims, the routing run, and the device record as
// `profile` writes it. Pure apart from writing the file; no GPU needed.
//
// DO NOT RENAME THESE KEYS without bumping "format": comparison scripts read them.
//   format, kind ("dense"|"moe"), scale, tokens, dims{...},
//   fwd_s, bwd_input_s, bwd_weight_s          medians of each whole pass
//   passes{fwd|bwd_input|bwd_weight: stats}   stats = median_s min_s max_s p10_s p90_s
//                                              mean_s repeats
//   ops[{name, pass, kernel, m, n, k, groups, rows, cols, stats...}]
//   skipped[{name, pass, reason}], routing{rows_run, min/max_expert_rows} (MoE),
//   device{...}, timing{warmup, repeats, method}, source

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "real/layer_plan.h"
#include "real/profile_writer.h"
#include "real/timing_stats.h"

namespace moesim::real {

inline constexpr const char* kLayerReportFormat = "moesim-layer-1";

struct LayerOpTiming {
  LayerOp op;
  TimingStats stats;
  std::int64_t rows_run = 0;  // grouped GEMMs and expert SwiGLU: rows after padding
};

struct LayerSkip {
  std::string name;
  LayerPass pass = LayerPass::kForward;
  std::string reason;
};

// The gate's routing on random logits (MoE only): what the grouped GEMMs ran.
struct LayerRouting {
  std::int64_t rows_run = 0;  // permuted rows incl. padding to 128 per expert
  std::int64_t min_expert_rows = 0;
  std::int64_t max_expert_rows = 0;  // before padding
};

struct LayerRun {
  LayerDims dims;
  TimingOptions timing;
  std::string method;
  DeviceRecord device;
  TimingStats fwd, bwd_input, bwd_weight;  // each whole pass, events around all its ops
  std::vector<LayerOpTiming> ops;
  std::vector<LayerSkip> skipped;
  std::optional<LayerRouting> routing;
};

// Every op of the plan that has no kernel, as the report lists it.
std::vector<LayerSkip> skipped_ops(const std::vector<LayerOp>& plan);

nlohmann::json layer_report_json(const LayerRun& run);

// Writes layer_report_json(run) atomically to `path`, or to `out` when path is "".
void write_layer_report(const std::string& path, const LayerRun& run, std::ostream& out);

}  // namespace moesim::real
