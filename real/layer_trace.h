#pragma once
// `moesim-real layer --trace-out FILE`: the measured layer as a PyTorch-profiler
// (Kineto) Chrome trace, the format `moesim calibrate --trace` reads
// (sim/trace/kineto_trace.h), so that a layer measured here and a training step
// profiled on a user's cluster calibrate the simulator the same way.
//
// What it holds: each timed op as one "kernel" event named "moesim::<kernel>"
// (real/layer_plan.h layer_kernel_name; validation/calibration/kineto-kernel-map.json
// classifies them) on one stream, its duration the op's median, ops end to end in
// execution order (F, then B, then W); a "cuda_runtime" cudaLaunchKernel event per
// kernel with the same correlation id; one "gpu_user_annotation" per run of ops of
// one block and pass, named as DeepSeek's trace names its stages ("attn(F)",
// "mlp(B)", ...; sim/model/op.h in_mlp_block says which block). deviceProperties[0]
// carries the device's name; timestamps start at the run's UTC date. No
// communication: one GPU, no EP calls, so the calibration finds no notify or call
// figures and no SM sharing. The layout is synthetic (medians laid end to end, not
// one recorded launch sequence); the trace's "moesim" object says so. Pure: no GPU.

#include <string>

#include <nlohmann/json.hpp>

#include "real/layer_report.h"

namespace moesim::real {

nlohmann::json layer_kineto_trace(const LayerRun& run);

// Writes it to `path` atomically, as plain JSON (`moesim calibrate --trace`
// reads plain or gzipped).
void write_layer_trace(const std::string& path, const LayerRun& run);

}  // namespace moesim::real
