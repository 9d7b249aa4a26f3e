#pragma once
// `moesim-real overlap`: what running beside a communication kernel costs a compute
// kernel beyond the SMs the communication holds, the des step's HBM interference
// (GpuConfig::interference, sim/engine/task.h), measured and written into a
// calibration profile as "overlap": {"compute_slowdown", "comm_sms", "source"}
// (sim/hw/calibration_profile.h).
//
// The probe (real/overlap_runner.cpp): an FP8 GEMM of V3's attention output
// projection at 4K tokens (m 4096, n 7168, k 16384, the largest published DeepGEMM
// shape) timed alone on every SM, then beside a stand-in for a DeepEP kernel: one
// block on each of `comm_sms` SMs (each block takes all of its SM's shared memory, so
// no GEMM block can share the SM, as DeepEP's blocks do), copying in HBM at
// `comm_gbps` in total (reads + writes) until the GEMM's samples are done. The engine
// charges SM sharing alone as alone x sm_count / (sm_count - comm_sms); what the
// shared GEMM takes beyond that is the slowdown:
//   compute_slowdown = 1 - alone x sm_count / ((sm_count - comm_sms) x shared),
// floored at 0 (a GEMM whose waves fit the remaining SMs can lose less than the SM
// share). This file is the part that needs no GPU: options, the formula and the
// profile update.

#include <string>

#include <nlohmann/json.hpp>

#include "real/real_options.h"

namespace moesim::real {

struct OverlapTiming {
  int sm_count = 0;         // the device's
  int comm_sms = 0;
  double comm_gbps = 0;     // asked for
  double achieved_gbps = 0; // what the copy blocks moved during the shared samples
  double alone_s = 0;       // GEMM median, alone
  double shared_s = 0;      // GEMM median, beside the copy
  double m = 0, n = 0, k = 0;
};

// The formula above. REQUIRES: 0 < comm_sms < sm_count, times > 0.
double compute_slowdown(const OverlapTiming& t);

// `profile` with its "overlap" block set from `t` (and `device`, one line naming the
// device, driver and date, for the source); the rest untouched.
nlohmann::json with_overlap(nlohmann::json profile, const OverlapTiming& t,
                            const std::string& device);

// Reads the profile at `path` (InputError if it does not load with the simulator's
// parser), adds the figure, checks the result with the parser and rewrites `path`
// atomically.
void write_overlap(const std::string& path, const OverlapTiming& t, const std::string& device);

}  // namespace moesim::real
