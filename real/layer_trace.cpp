#include "real/layer_trace.h"

#include <ctime>

#include "sim/core/atomic_file.h"
#include "sim/model/op.h"

namespace moesim::real {

namespace {

// Microseconds since the epoch of an ISO 8601 UTC date ("2025-01-01T00:00:00Z");
// 0 when it does not parse.
double epoch_us(const std::string& iso) {
  std::tm tm{};
  if (iso.size() < 19 || !strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<double>(timegm(&tm)) * 1e6;
}

}  // namespace

nlohmann::json layer_kineto_trace(const LayerRun& run) {
  using nlohmann::json;
  constexpr int kStream = 7;
  json events = json::array();
  double t = epoch_us(run.device.date);
  long long correlation = 1;
  std::string stage;
  double stage_start = t;
  auto close_stage = [&] {
    if (stage.empty()) return;
    events.push_back({{"ph", "X"}, {"cat", "gpu_user_annotation"}, {"name", stage},
                      {"pid", 0}, {"tid", kStream}, {"ts", stage_start}, {"dur", t - stage_start},
                      {"args", {{"device", 0}, {"stream", kStream}}}});
  };
  for (const LayerOpTiming& o : run.ops) {
    Op graph_op;
    graph_op.name = o.op.name;
    const std::string s =
        std::string(in_mlp_block(graph_op) ? "mlp(" : "attn(") + layer_pass_code(o.op.pass) + ")";
    if (s != stage) {
      close_stage();
      stage = s;
      stage_start = t;
    }
    const double dur = o.stats.median_s * 1e6;
    events.push_back({{"ph", "X"}, {"cat", "cuda_runtime"}, {"name", "cudaLaunchKernel"},
                      {"pid", 1}, {"tid", 1}, {"ts", t}, {"dur", 1.0},
                      {"args", {{"correlation", correlation}}}});
    events.push_back({{"ph", "X"}, {"cat", "kernel"},
                      {"name", std::string("moesim::") + layer_kernel_name(o.op.kernel)},
                      {"pid", 0}, {"tid", kStream}, {"ts", t}, {"dur", dur},
                      {"args", {{"device", 0}, {"stream", kStream}, {"correlation", correlation},
                                {"op", o.op.name}}}});
    ++correlation;
    t += dur;
  }
  close_stage();
  return {{"schemaVersion", 1},
          {"deviceProperties", json::array({{{"id", 0}, {"name", run.device.name},
                                             {"numSms", run.device.sm_count}}})},
          {"moesim",
           {{"source", "moesim-real layer"},
            {"layout", "each timed op's median, laid end to end on one stream in execution "
                       "order; one GPU, no communication"},
            {"kind", run.dims.kind == LayerKindOption::kMoe ? "moe" : "dense"},
            {"scale", run.dims.scale},
            {"tokens", run.dims.tokens},
            {"device_date", run.device.date},
            {"driver_version", run.device.driver_version}}},
          {"traceEvents", std::move(events)}};
}

void write_layer_trace(const std::string& path, const LayerRun& run) {
  write_file_atomically(path, layer_kineto_trace(run).dump() + "\n");
}

}  // namespace moesim::real
