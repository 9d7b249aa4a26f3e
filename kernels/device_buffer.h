#pragma once
// A typed, owning device allocation for tests, benchmarks and the real backend's drivers.
// Not for kernels/ itself: kernels never allocate. Move-only; not thread-safe.

#include <cuda_runtime_api.h>

#include <cstddef>
#include <string>
#include <vector>

#include "kernels/cuda_error.h"

namespace moesim::kernels {

template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t count) : count_(count) {
    if (count_ > 0) {
      void* p = nullptr;
      check_cuda(cudaMalloc(&p, count_ * sizeof(T)),
                 "cudaMalloc of " + std::to_string(count_ * sizeof(T)) + " bytes");
      data_ = static_cast<T*>(p);
    }
  }
  explicit DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.size()) { upload(host); }
  ~DeviceBuffer() {
    if (data_ != nullptr) cudaFree(data_);
  }
  DeviceBuffer(DeviceBuffer&& other) noexcept : data_(other.data_), count_(other.count_) {
    other.data_ = nullptr;
    other.count_ = 0;
  }
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      if (data_ != nullptr) cudaFree(data_);
      data_ = other.data_;
      count_ = other.count_;
      other.data_ = nullptr;
      other.count_ = 0;
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  T* get() const { return data_; }
  std::size_t size() const { return count_; }

  // REQUIRES: host.size() == size().
  void upload(const std::vector<T>& host) {
    if (host.size() != count_) throw CudaError("DeviceBuffer::upload: size mismatch");
    if (count_ > 0) {
      check_cuda(cudaMemcpy(data_, host.data(), count_ * sizeof(T), cudaMemcpyHostToDevice),
                 "cudaMemcpy to device");
    }
  }
  // Synchronous: waits for all work on the device.
  std::vector<T> download() const {
    std::vector<T> host(count_);
    if (count_ > 0) {
      check_cuda(cudaMemcpy(host.data(), data_, count_ * sizeof(T), cudaMemcpyDeviceToHost),
                 "cudaMemcpy to host");
    }
    return host;
  }
  // Fills every byte with `byte` (0xFF poisons floats with NaN, to catch unwritten outputs).
  void fill_bytes(int byte) {
    if (count_ > 0) check_cuda(cudaMemset(data_, byte, count_ * sizeof(T)), "cudaMemset");
  }

 private:
  T* data_ = nullptr;
  std::size_t count_ = 0;
};

}  // namespace moesim::kernels
