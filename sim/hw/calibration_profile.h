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

enum class CalibratedOp { kGemm, kAttention, kMemory };

struct CalibrationEntry {
  CalibratedOp op = CalibratedOp::kGemm;
  bool fp8 = false;
  double m = 0, n = 0, k = 0;
  int groups = 1;
  double efficiency = 0;  // achieved / the GPU's peak for that dtype (or HBM bandwidth)
  std::string name;       // optional: the graph op it was measured as
  std::string source;     // optional: per-entry source
};

struct CalibrationProfile {
  std::string file;
  GpuSpec gpu;
  bool measured = false;
  nlohmann::json device;
  std::string source;
  std::vector<CalibrationEntry> entries;
  std::optional<double> overlap_slowdown;  // "overlap": {"compute_slowdown"}
  std::string overlap_source;
};

// Reads and checks a profile; every problem (file, JSON path, expected) is
// collected into one InputError.
CalibrationProfile load_calibration_profile(const std::string& path);
CalibrationProfile parse_calibration_profile(const nlohmann::json& j, const std::string& file);

const char* to_string(CalibratedOp op);

}  // namespace moesim
