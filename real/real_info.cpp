// Prints, as JSON, what a measurement on this machine would record: GPU count
// and name, CUDA driver and runtime versions, NCCL version. Exit 0 even without
// a GPU (the JSON then says why none is usable).
#include <cstdio>
#include <string>

#include "kernels/device_info.h"
#ifdef MOESIM_HAVE_NCCL
#include <nccl.h>
#endif

int main() {
  const auto info = moesim::kernels::query_devices();
  int nccl = 0;
#ifdef MOESIM_HAVE_NCCL
  ncclGetVersion(&nccl);
#endif
  std::printf(
      "{\"device_count\": %d, \"device\": \"%s\", \"sm_count\": %d, \"cuda_driver\": %d, "
      "\"cuda_runtime\": %d, \"nccl\": %d, \"error\": \"%s\"}\n",
      info.device_count, info.name.c_str(), info.sm_count, info.driver_version,
      info.runtime_version, nccl, info.error.c_str());
  return 0;
}
