#pragma once
// Times enqueued GPU work with CUDA events: `warmup` untimed launches, then `repeats`
// launches, each between its own pair of events, after an untimed write over a buffer
// twice the L2 size so that no launch reads its operands from a warm L2 (the simulator
// prices cold HBM traffic). Returns every sample in seconds. Needs a GPU.

#include <cuda_runtime_api.h>

#include <functional>
#include <string>
#include <vector>

namespace moesim::real {

class GpuTimer {
 public:
  explicit GpuTimer(cudaStream_t stream);  // allocates the L2 flush buffer
  ~GpuTimer();
  GpuTimer(const GpuTimer&) = delete;
  GpuTimer& operator=(const GpuTimer&) = delete;

  std::vector<double> time(const std::function<void()>& launch, int warmup, int repeats);
  std::string method() const;  // for the profile's "about"

 private:
  cudaStream_t stream_;
  void* flush_ = nullptr;
  size_t flush_bytes_ = 0;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
};

}  // namespace moesim::real
