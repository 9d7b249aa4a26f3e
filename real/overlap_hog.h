#pragma once
// The stand-in for a communication kernel in `moesim-real overlap`
// (real/overlap_probe.h): one block per SM on `blocks` SMs, each taking all of its
// SM's shared memory so that no other kernel's block can share the SM, copying
// between two device buffers at a paced rate until a device flag is set. Needs a GPU.

#include <cuda_runtime_api.h>

#include <cstdint>

namespace moesim::real {

class CommHog {
 public:
  // Allocates the buffers (`bytes` each side; >= 64 MiB keeps the copy in HBM, not L2)
  // and the flag. REQUIRES: blocks >= 1, gbps > 0.
  CommHog(int blocks, double gbps, std::size_t bytes);
  ~CommHog();
  CommHog(const CommHog&) = delete;
  CommHog& operator=(const CommHog&) = delete;

  // Launches the copy on `stream`; it runs until stop(). Returns once every block is
  // resident (the blocks count themselves in; a bounded host wait).
  void start(cudaStream_t stream);
  // Sets the flag from `stream` and waits for the copy's stream; returns the bytes the
  // copy read and wrote while it ran, and how long it ran (seconds).
  void stop(cudaStream_t stream, cudaStream_t copy_stream, double* bytes_moved, double* seconds);

 private:
  int blocks_;
  double gbps_;
  std::size_t bytes_;
  void* src_ = nullptr;
  void* dst_ = nullptr;
  unsigned* control_ = nullptr;                // [0] stop flag, [1 + b] block b resident
  unsigned long long* moved_ = nullptr;        // bytes copied, per block
  unsigned long long* host_moved_ = nullptr;   // pinned copy of moved_
  unsigned* host_control_ = nullptr;           // mapped view of control_
  cudaEvent_t begin_ = nullptr, end_ = nullptr;
};

}  // namespace moesim::real
