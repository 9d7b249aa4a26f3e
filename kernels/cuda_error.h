#pragma once
// Failures of the CUDA runtime and cuBLASLt, as exceptions with context.

#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace moesim::kernels {

class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws CudaError("<what>: <cuda error name>: <message>") unless err == cudaSuccess.
// Clears CUDA's sticky last error first, so that a later check does not repeat it.
void check_cuda(cudaError_t err, const std::string& what);

// Checks the launch that the caller just made (cudaGetLastError).
void check_launch(const std::string& kernel_name);

}  // namespace moesim::kernels
