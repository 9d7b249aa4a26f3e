#include "kernels/cuda_error.h"

namespace moesim::kernels {

void check_cuda(cudaError_t err, const std::string& what) {
  if (err == cudaSuccess) return;
  cudaGetLastError();
  throw CudaError(what + ": " + cudaGetErrorName(err) + ": " + cudaGetErrorString(err));
}

void check_launch(const std::string& kernel_name) {
  check_cuda(cudaGetLastError(), "launching " + kernel_name);
}

}  // namespace moesim::kernels
