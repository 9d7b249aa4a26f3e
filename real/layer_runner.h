#pragma once
// `moesim-real layer`: runs one DeepSeek-V3 layer (real/layer_plan.h) on GPU 0 with
// kernels/ and times it: each op alone, and each pass (F, B, W) as one sequence of its
// ops between one pair of CUDA events, `warmup` untimed then `repeats` timed, with
// real/gpu_timer.h's L2 flush before each timed launch. Each op reads its own
// device-filled inputs (real/device_fill.h), not the previous op's output: shapes, not
// values, set the time. The MoE gate runs once on random logits first, and its routing
// (per-expert rows, padded to 128) sizes the grouped GEMMs, permute and unpermute. One
// pass's buffers live while that pass is timed. Needs a GPU.

#include <ostream>

#include "real/layer_report.h"
#include "real/real_options.h"

namespace moesim::real {

// Throws UsageError for a scale or token count the plan rejects (before any GPU work),
// std::runtime_error without a GPU, CudaError (with the op's name) when an op fails on
// the GPU: a pass with an op missing would be a wrong pass time, so nothing is written.
// Progress goes to `log`, one line per op.
LayerRun run_layer(const LayerOptions& o, std::ostream& log);

}  // namespace moesim::real
