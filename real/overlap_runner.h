#pragma once
// `moesim-real overlap` on GPU 0 (real/overlap_probe.h says what it measures).
#include <ostream>
#include <string>

#include "real/overlap_probe.h"

namespace moesim::real {

struct OverlapRun {
  OverlapTiming timing;
  std::string device;  // "NVIDIA H800, driver 12040, 2026-11-23T14:00:00Z"
};

// Throws std::runtime_error without a GPU or when comm_sms leaves no SM for the GEMM.
OverlapRun run_overlap(const OverlapOptions& o, std::ostream& log);

}  // namespace moesim::real
