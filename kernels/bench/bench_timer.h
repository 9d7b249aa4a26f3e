#pragma once
// Timing of one kernel launch with CUDA events (docs/kernels.md "Measuring"): warm-up
// launches first (module load, cuBLASLt heuristics, clocks), then `repeats` launches, each
// between its own pair of events on the stream, reported as median, min and max.

#include <cuda_runtime_api.h>

#include <functional>

namespace moesim::kernels::bench {

struct Timing {
  double median_us = 0.0;
  double min_us = 0.0;
  double max_us = 0.0;
  int repeats = 0;
};

// launch(i) enqueues one run on `stream`; i counts launches (warm-up included) so that a
// case can rotate among input sets and keep L2 from serving repeated reads.
Timing time_launches(const std::function<void(int)>& launch, int warmup, int repeats,
                     cudaStream_t stream);

}  // namespace moesim::kernels::bench
