#include "real/overlap_hog.h"

#include <chrono>
#include <stdexcept>
#include <thread>

#include "kernels/cuda_error.h"

namespace moesim::real {
namespace {

namespace k = moesim::kernels;

__device__ unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// Each block copies its own slice of src to dst in 64 KiB steps (16-byte loads and
// stores), pacing itself so that bytes moved (read + write) never run ahead of
// rate x elapsed time, until control[0] is set. The dynamic shared memory it asks for
// is never touched: it is there to keep other kernels' blocks off the SM.
__global__ void comm_hog(const uint4* __restrict__ src, uint4* __restrict__ dst,
                         std::size_t slice16, double bytes_per_ns, volatile unsigned* control,
                         unsigned long long* moved) {
  extern __shared__ unsigned char reserve[];
  (void)reserve;
  const std::size_t base = static_cast<std::size_t>(blockIdx.x) * slice16;
  constexpr std::size_t kStep16 = (64 << 10) / 16;
  if (threadIdx.x == 0) control[1 + blockIdx.x] = 1;  // resident (plain stores: no host atomics)
  const unsigned long long t0 = global_ns();
  unsigned long long done = 0;  // bytes read + written by this block
  std::size_t at = 0;
  __shared__ int stop;
  for (;;) {
    if (threadIdx.x == 0) stop = control[0] != 0;
    __syncthreads();
    if (stop) break;
    for (std::size_t i = threadIdx.x; i < kStep16; i += blockDim.x)
      dst[base + (at + i) % slice16] = src[base + (at + i) % slice16];
    at = (at + kStep16) % slice16;
    done += 2 * kStep16 * 16;
    __syncthreads();
    if (threadIdx.x == 0)
      while (static_cast<double>(done) > bytes_per_ns * static_cast<double>(global_ns() - t0) &&
             control[0] == 0) {
      }
    __syncthreads();
  }
  if (threadIdx.x == 0) moved[blockIdx.x] = done;
}

__global__ void set_flag(unsigned* control) { control[0] = 1; }

}  // namespace

CommHog::CommHog(int blocks, double gbps, std::size_t bytes)
    : blocks_(blocks), gbps_(gbps), bytes_(bytes) {
  if (blocks < 1 || !(gbps > 0)) throw std::invalid_argument("CommHog: blocks >= 1, gbps > 0");
  k::check_cuda(cudaMalloc(&src_, bytes_), "cudaMalloc (overlap copy source)");
  k::check_cuda(cudaMalloc(&dst_, bytes_), "cudaMalloc (overlap copy target)");
  k::check_cuda(cudaMemset(src_, 1, bytes_), "cudaMemset");
  k::check_cuda(cudaHostAlloc(reinterpret_cast<void**>(&host_control_),
                              (1 + static_cast<std::size_t>(blocks_)) * sizeof(unsigned),
                              cudaHostAllocMapped),
                "cudaHostAlloc (overlap control)");
  k::check_cuda(cudaHostGetDevicePointer(reinterpret_cast<void**>(&control_), host_control_, 0),
                "cudaHostGetDevicePointer");
  k::check_cuda(cudaMalloc(&moved_, blocks_ * sizeof(unsigned long long)), "cudaMalloc");
  k::check_cuda(cudaMallocHost(reinterpret_cast<void**>(&host_moved_),
                               blocks_ * sizeof(unsigned long long)),
                "cudaMallocHost");
  k::check_cuda(cudaEventCreate(&begin_), "cudaEventCreate");
  k::check_cuda(cudaEventCreate(&end_), "cudaEventCreate");
}

CommHog::~CommHog() {
  cudaFree(src_);
  cudaFree(dst_);
  cudaFree(moved_);
  cudaFreeHost(host_control_);
  cudaFreeHost(host_moved_);
  cudaEventDestroy(begin_);
  cudaEventDestroy(end_);
}

void CommHog::start(cudaStream_t stream) {
  int device = 0, smem = 0;
  k::check_cuda(cudaGetDevice(&device), "cudaGetDevice");
  k::check_cuda(cudaDeviceGetAttribute(&smem, cudaDevAttrMaxSharedMemoryPerBlockOptin, device),
                "shared memory per block");
  k::check_cuda(cudaFuncSetAttribute(comm_hog, cudaFuncAttributeMaxDynamicSharedMemorySize, smem),
                "cudaFuncSetAttribute (overlap copy)");
  for (int i = 0; i <= blocks_; ++i) host_control_[i] = 0;
  const std::size_t slice16 = bytes_ / 16 / static_cast<std::size_t>(blocks_);
  const double bytes_per_ns = gbps_ / blocks_;  // GB/s = bytes per ns
  k::check_cuda(cudaEventRecord(begin_, stream), "cudaEventRecord");
  comm_hog<<<blocks_, 512, static_cast<std::size_t>(smem), stream>>>(
      static_cast<const uint4*>(src_), static_cast<uint4*>(dst_), slice16, bytes_per_ns,
      control_, moved_);
  k::check_launch("comm_hog");
  k::check_cuda(cudaEventRecord(end_, stream), "cudaEventRecord");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto resident = [&] {
    for (int b = 1; b <= blocks_; ++b)
      if (*static_cast<volatile unsigned*>(&host_control_[b]) == 0) return false;
    return true;
  };
  while (!resident()) {
    if (std::chrono::steady_clock::now() > deadline) {
      host_control_[0] = 1;
      throw std::runtime_error("overlap copy: its blocks did not all become resident in 10 s");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

void CommHog::stop(cudaStream_t stream, cudaStream_t copy_stream, double* bytes_moved,
                   double* seconds) {
  set_flag<<<1, 1, 0, stream>>>(control_);
  k::check_launch("set_flag");
  k::check_cuda(cudaStreamSynchronize(copy_stream), "overlap copy");
  k::check_cuda(cudaMemcpy(host_moved_, moved_, blocks_ * sizeof(unsigned long long),
                           cudaMemcpyDeviceToHost),
                "cudaMemcpy (bytes moved)");
  double total = 0;
  for (int b = 0; b < blocks_; ++b) total += static_cast<double>(host_moved_[b]);
  float ms = 0;
  k::check_cuda(cudaEventElapsedTime(&ms, begin_, end_), "cudaEventElapsedTime");
  *bytes_moved = total;
  *seconds = ms * 1e-3;
}

}  // namespace moesim::real
