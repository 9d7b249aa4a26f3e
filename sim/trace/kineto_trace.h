#pragma once
// A PyTorch-profiler (Kineto) Chrome trace as moesim reads it: the GPU
// kernels with their stream, start and duration, and the stage each ran in,
// the innermost user annotation (torch.profiler.record_function, e.g.
// "attn(F)") that held its launch, found through the kernel's correlation id
// and its cudaLaunchKernel event. GPU-side annotations ("gpu_user_annotation")
// are used the same way where a trace has them. Gzipped or plain JSON.
//
// What is read: traceEvents of cat "kernel" (and "gpu_memcpy"/"gpu_memset",
// kept as kernels named by their cat), "cuda_runtime"/"cuda_driver" (for the
// correlation), "user_annotation"/"gpu_user_annotation"; deviceProperties[0]
// and distributedInfo when present. Times in microseconds as the trace has them.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace moesim {

struct TraceAnnotation {
  std::string name;
  double start_us = 0, dur_us = 0;
};

struct TraceKernel {
  std::string name;
  int stream = 0;
  double start_us = 0, dur_us = 0;
  // Indices into KernelTrace::annotations holding the launch (or the kernel,
  // for GPU annotations), innermost first; empty when none.
  std::vector<int> annotations;
  double end_us() const { return start_us + dur_us; }
};

struct KernelTrace {
  std::string file;
  std::string device;     // deviceProperties[0].name, "" when absent
  std::string date;       // UTC date of the first event (YYYY-MM-DD), "" when unknown
  int rank = -1, world_size = -1;  // distributedInfo
  std::vector<TraceAnnotation> annotations;  // in trace order
  std::vector<TraceKernel> kernels;          // sorted by (start, stream)
};

// REQUIRES nothing of the file: a missing file, invalid JSON or gzip, a
// decompressed size over 4 GiB, or a trace without traceEvents or kernels is
// an InputError naming the file and the JSON path.
KernelTrace load_kineto_trace(const std::string& path);
KernelTrace parse_kineto_trace(const nlohmann::json& j, const std::string& file);

}  // namespace moesim
