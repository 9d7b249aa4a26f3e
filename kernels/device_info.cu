#include "kernels/device_info.h"

#include <cuda_runtime.h>

namespace moesim::kernels {

DeviceInfo query_devices() {
  DeviceInfo info;
  cudaRuntimeGetVersion(&info.runtime_version);
  cudaDriverGetVersion(&info.driver_version);
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    // No driver (cudaErrorInsufficientDriver) or no device (cudaErrorNoDevice):
    // the count is left untouched by CUDA, so keep our zero.
    info.error = cudaGetErrorString(err);
    cudaGetLastError();
    return info;
  }
  info.device_count = n;
  if (n == 0) {
    info.error = "no CUDA device";
    return info;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) {
    info.name = prop.name;
    info.sm_count = prop.multiProcessorCount;
  }
  return info;
}

}  // namespace moesim::kernels
