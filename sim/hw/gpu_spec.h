#pragma once
// One GPU model as its datasheet describes it. Peaks are dense (no sparsity).
// Every catalog entry (gpu_catalog.cpp) cites the datasheet or paper it comes from.

#include <string>
#include <vector>

#include "sim/core/units.h"

namespace moesim {

struct GpuSpec {
  std::string name;                 // catalog key, e.g. "H800"
  FlopsPerSecond peak_bf16;         // dense tensor-core BF16
  FlopsPerSecond peak_fp8;          // dense tensor-core FP8 (E4M3)
  FlopsPerSecond peak_fp32;         // non-tensor FP32 (CUDA cores), for elementwise work
  Bytes hbm_capacity;
  BytesPerSecond hbm_bandwidth;
  BytesPerSecond nvlink_bandwidth;  // per GPU, per direction, as the datasheet gives it
  BytesPerSecond nic_bandwidth;     // scale-out NIC per GPU in the usual DGX/HGX build
  int sm_count = 0;
  std::string source;               // where these figures come from

  bool operator==(const GpuSpec& o) const;
};

// The shipped catalog, in a fixed order: H800, H100 SXM, H200, A100 80GB, B200.
const std::vector<GpuSpec>& gpu_catalog();
// nullptr when the name is not in the catalog (case-sensitive).
const GpuSpec* find_gpu(const std::string& name);
std::vector<std::string> gpu_names();

}  // namespace moesim
