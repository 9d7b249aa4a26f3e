#pragma once
// Calibration profiles: kernel throughputs measured on one GPU (written by
// real/) or published for it (DeepSeek's DeepGEMM and FlashMLA tables), each
// entry an op class, a dtype, a shape and what was achieved. The format is
// persistent: "format": "moesim-calibration-1". DO NOT RENAME KEYS.
//
// {
//   "format": "moesim-calibration-1",
//   "gpu": "H800",                       // catalog name: the peaks efficiencies divide by
//   "measured": false,                   // true when real/ measured it on this machine
//   "device": { "name": ..., "driver": ..., "cuda": ..., "clocks": ..., "date": ... },
//   "source": "where the figures come from",
//   "entries": [
//     { "op": "gemm", "dtype": "fp8", "m": 4096, "n": 7168, "k": 16384, "groups": 1,
//       "tflops": 1426, "name": "attn.o_proj", "source": "..." },
//     { "op": "attention", "dtype": "bf16", "tflops": 660 },
//     { "op": "memory", "gb_per_s": 3000 },
//     { "op": "gemm", "dtype": "bf16", "m": 8192, "n": 8192, "k": 8192, "time_s": 1.4e-3 }
//   ],
//   "overlap": { "compute_slowdown": 0.06, "source": "..." }   // optional
// }
// op: "gemm" (groups >= 1: grouped GEMMs are GEMMs with groups > 1), "attention",
// "memory". Throughput: exactly one of "time_s" (GEMM FLOPs = 2 m n k groups),
// "tflops" (achieved) or, for memory, "gb_per_s".
// In-training entries (from a profiler trace of a real step, `moesim calibrate
// --trace`) carry "pass" and usually "block" and no shape: the rate one class of
// op achieved over the work the op graph gives it, in that pass and block:
//     { "op": "gemm", "dtype": "fp8", "pass": "weight_grad", "block": "mlp",
//       "tflops": 560, "source": "..." }
//     { "op": "fp8_cast", "pass": "forward", "gb_per_s": 1400 }
//     { "op": "memory", "pass": "input_grad", "block": "attn", "gb_per_s": 900 }
//     { "op": "ep_notify", "direction": "dispatch", "time_s": 5.6e-4, "ep": 64,
//       "nodes": 8 }
// pass: "forward", "input_grad" (with the recomputation it triggers, priced at
// the forward figures), "weight_grad"; block: "attn" (everything before the EP
// dispatch: norms, attention, gate) or "mlp" (experts, shared experts, the dense
// FFN, permutes). fp8_cast: the FP8 quantize / cast / transpose kernels of the
// FP8 recipe. ep_notify: DeepEP's metadata exchange before a call ("dispatch":
// notify_dispatch with the layout; "cached": cached_notify before the others),
// measured at `ep` GPUs over `nodes` nodes. ep_call: one DeepEP call's kernel
// as the trace measured it in training ("time_s", per call) and as moesim's
// network model times it alone for the same plan ("model_s"), per direction
// ("dispatch", "combine"): their ratio slows every simulated call. In-training figures replace the
// shape fit for what they cover; the shape entries stay for the rest.
// overlap.compute_slowdown: the share of a compute kernel's speed lost, beyond
// the SMs communication holds, while a communication kernel runs beside it
// (HBM bandwidth and L2 it takes), in [0, 1): GpuConfig::interference of the
// des step (sim/engine/task.h).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/hw/gpu_spec.h"

namespace moesim {

enum class CalibratedOp { kGemm, kAttention, kMemory, kFp8Cast, kEpNotify, kEpCall };
// DO NOT RENUMBER: EfficiencyTable keys use the values.
enum class CalibratedPass { kAny, kForward, kInputGrad, kWeightGrad };
enum class CalibratedBlock { kAny, kAttn, kMlp };

struct CalibrationEntry {
  CalibratedOp op = CalibratedOp::kGemm;
  bool fp8 = false;
  double m = 0, n = 0, k = 0;
  int groups = 1;
  double efficiency = 0;  // achieved / the GPU's peak for that dtype (or HBM bandwidth)
  std::string name;       // optional: the graph op it was measured as
  std::string source;     // optional: per-entry source
  // In-training entries only (see above): the pass and block they cover.
  CalibratedPass pass = CalibratedPass::kAny;
  CalibratedBlock block = CalibratedBlock::kAny;
  bool in_training() const { return pass != CalibratedPass::kAny; }
};

// DeepEP's notify kernels as a trace measured them (per call).
struct EpNotifyFigure {
  double dispatch_s = 0;  // notify_dispatch (+ layout) before a fresh dispatch
  double cached_s = 0;    // cached_notify before the other calls
  int ep = 0, nodes = 0;  // where measured
  std::string source;
};

// DeepEP calls in training against the network model's lone call (ep_call).
struct EpCallFigure {
  double dispatch_slowdown = 1, combine_slowdown = 1;  // measured / modeled, per call
  int ep = 0, nodes = 0;
  std::string source;
};

struct CalibrationProfile {
  std::string file;
  GpuSpec gpu;
  bool measured = false;
  nlohmann::json device;
  std::string source;
  std::vector<CalibrationEntry> entries;      // shape entries (the fit's points)
  std::vector<CalibrationEntry> in_training;  // pass entries (see above)
  std::optional<EpNotifyFigure> ep_notify;
  std::optional<EpCallFigure> ep_call;
  std::optional<double> overlap_slowdown;  // "overlap": {"compute_slowdown"}
  std::string overlap_source;
};

// Reads and checks a profile; every problem (file, JSON path, expected) is
// collected into one InputError.
CalibrationProfile load_calibration_profile(const std::string& path);
CalibrationProfile parse_calibration_profile(const nlohmann::json& j, const std::string& file);

const char* to_string(CalibratedOp op);
const char* to_string(CalibratedPass p);   // "forward", "input_grad", "weight_grad", "any"
const char* to_string(CalibratedBlock b);  // "attn", "mlp", "any"

}  // namespace moesim
