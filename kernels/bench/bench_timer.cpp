#include "kernels/bench/bench_timer.h"

#include <algorithm>
#include <vector>

#include "kernels/cuda_error.h"

namespace moesim::kernels::bench {

Timing time_launches(const std::function<void(int)>& launch, int warmup, int repeats,
                     cudaStream_t stream) {
  int i = 0;
  for (; i < warmup; ++i) launch(i);
  check_cuda(cudaStreamSynchronize(stream), "warm-up");
  std::vector<cudaEvent_t> events(2 * static_cast<std::size_t>(repeats));
  for (auto& e : events) check_cuda(cudaEventCreate(&e), "cudaEventCreate");
  for (int r = 0; r < repeats; ++r, ++i) {
    check_cuda(cudaEventRecord(events[2 * r], stream), "cudaEventRecord");
    launch(i);
    check_cuda(cudaEventRecord(events[2 * r + 1], stream), "cudaEventRecord");
  }
  check_cuda(cudaStreamSynchronize(stream), "timed launches");
  std::vector<double> us(static_cast<std::size_t>(repeats));
  for (int r = 0; r < repeats; ++r) {
    float ms = 0.0f;
    check_cuda(cudaEventElapsedTime(&ms, events[2 * r], events[2 * r + 1]), "cudaEventElapsedTime");
    us[static_cast<std::size_t>(r)] = 1000.0 * ms;
  }
  for (auto& e : events) cudaEventDestroy(e);
  std::sort(us.begin(), us.end());
  Timing t;
  t.repeats = repeats;
  t.min_us = us.front();
  t.max_us = us.back();
  t.median_us = repeats % 2 ? us[us.size() / 2] : 0.5 * (us[us.size() / 2 - 1] + us[us.size() / 2]);
  return t;
}

}  // namespace moesim::kernels::bench
