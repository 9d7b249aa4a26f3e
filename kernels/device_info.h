#pragma once
// What CUDA can see on this machine, for tests that must skip without a GPU and
// for measurement records (device, driver, runtime). Never throws.

#include <string>

namespace moesim::kernels {

struct DeviceInfo {
  int device_count = 0;        // 0 when there is no GPU or no driver
  int driver_version = 0;      // CUDA driver API version, e.g. 13000; 0 without a driver
  int runtime_version = 0;     // CUDA runtime the binary was built against
  std::string name;            // device 0's name, "" when none
  int sm_count = 0;            // device 0
  std::string error;           // why no device is usable, "" when one is
};

DeviceInfo query_devices();

}  // namespace moesim::kernels
