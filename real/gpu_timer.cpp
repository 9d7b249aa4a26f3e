#include "real/gpu_timer.h"

#include "kernels/cuda_error.h"

namespace moesim::real {

using kernels::check_cuda;

GpuTimer::GpuTimer(cudaStream_t stream) : stream_(stream) {
  int device = 0, l2 = 0;
  check_cuda(cudaGetDevice(&device), "cudaGetDevice");
  check_cuda(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device), "L2 cache size");
  flush_bytes_ = 2 * static_cast<size_t>(l2);
  if (flush_bytes_ > 0) check_cuda(cudaMalloc(&flush_, flush_bytes_), "L2 flush buffer");
  check_cuda(cudaEventCreate(&start_), "cudaEventCreate");
  check_cuda(cudaEventCreate(&stop_), "cudaEventCreate");
}

GpuTimer::~GpuTimer() {
  if (flush_ != nullptr) cudaFree(flush_);
  if (start_ != nullptr) cudaEventDestroy(start_);
  if (stop_ != nullptr) cudaEventDestroy(stop_);
}

std::vector<double> GpuTimer::time(const std::function<void()>& launch, int warmup, int repeats) {
  for (int i = 0; i < warmup; ++i) launch();
  std::vector<double> samples;
  samples.reserve(repeats);
  for (int i = 0; i < repeats; ++i) {
    if (flush_ != nullptr)
      check_cuda(cudaMemsetAsync(flush_, i & 0xff, flush_bytes_, stream_), "L2 flush");
    check_cuda(cudaEventRecord(start_, stream_), "cudaEventRecord");
    launch();
    check_cuda(cudaEventRecord(stop_, stream_), "cudaEventRecord");
    check_cuda(cudaEventSynchronize(stop_), "waiting for the timed launch");
    float ms = 0;
    check_cuda(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
    samples.push_back(static_cast<double>(ms) * 1e-3);
  }
  return samples;
}

std::string GpuTimer::method() const {
  return "CUDA events around each launch on one stream; an untimed " +
         std::to_string(flush_bytes_ >> 20) + " MiB memset (2x L2) before each timed launch";
}

}  // namespace moesim::real
