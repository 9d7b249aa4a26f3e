// moesim-kernel-bench: times every kernel of kernels/ at DeepSeek-V3's shapes on the GPU
// it runs on, with CUDA events after warm-up, and prints medians (and min/max, TFLOPS,
// GB/s). For the next session with a GPU; see docs/kernels.md.
//
//   moesim-kernel-bench [--filter TEXT] [--warmup N] [--repeats N] [--csv FILE] [--list]
//
// Exit status: 0 when every selected case ran, 1 when some could not (their rows say
// why), 2 for bad arguments or no GPU.
#include <cuda_runtime_api.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "kernels/bench/bench_cases.h"
#include "kernels/cuda_error.h"
#include "kernels/device_info.h"

namespace {

using moesim::kernels::bench::BenchOptions;
using moesim::kernels::bench::BenchRow;

int usage(const char* why) {
  std::fprintf(stderr,
               "moesim-kernel-bench: %s\n"
               "usage: moesim-kernel-bench [--filter TEXT] [--warmup N] [--repeats N] "
               "[--csv FILE] [--list]\n",
               why);
  return 2;
}

void print_row(const BenchRow& r) {
  if (!r.error.empty()) {
    std::printf("%-22s %-34s  not run: %s\n", r.name.c_str(), r.shape.c_str(), r.error.c_str());
    return;
  }
  const double s = r.timing.median_us * 1e-6;
  std::printf("%-22s %-34s %10.2f %10.2f %10.2f", r.name.c_str(), r.shape.c_str(),
              r.timing.median_us, r.timing.min_us, r.timing.max_us);
  if (r.flops > 0)
    std::printf(" %9.1f", r.flops / s * 1e-12);
  else
    std::printf(" %9s", "-");
  std::printf(" %9.1f\n", r.bytes / s * 1e-9);
}

}  // namespace

int main(int argc, char** argv) {
  std::string filter, csv_path;
  BenchOptions options;
  bool list = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--filter" && has_value)
      filter = argv[++i];
    else if (arg == "--warmup" && has_value)
      options.warmup = std::atoi(argv[++i]);
    else if (arg == "--repeats" && has_value)
      options.repeats = std::atoi(argv[++i]);
    else if (arg == "--csv" && has_value)
      csv_path = argv[++i];
    else if (arg == "--list")
      list = true;
    else
      return usage(("unknown or incomplete argument '" + arg + "'").c_str());
  }
  if (options.warmup < 0 || options.repeats < 1) return usage("--warmup >= 0 and --repeats >= 1");

  const auto cases = moesim::kernels::bench::all_cases();
  if (list) {
    for (const auto& c : cases) std::printf("%s\n", c.name.c_str());
    return 0;
  }
  const auto device = moesim::kernels::query_devices();
  if (device.device_count == 0) {
    std::fprintf(stderr, "moesim-kernel-bench: no GPU here (%s)\n", device.error.c_str());
    return 2;
  }
  int l2 = 0;
  cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, 0);
  if (l2 > 0) options.l2_bytes = static_cast<std::size_t>(l2);
  std::printf("device %s, %d SMs, L2 %d MiB, driver %d, runtime %d; warm-up %d, repeats %d\n",
              device.name.c_str(), device.sm_count, l2 >> 20, device.driver_version,
              device.runtime_version, options.warmup, options.repeats);
  std::printf("%-22s %-34s %10s %10s %10s %9s %9s\n", "kernel", "shape", "median_us", "min_us",
              "max_us", "TFLOPS", "GB/s");

  std::vector<BenchRow> rows;
  try {
    cudaStream_t stream = nullptr;
    moesim::kernels::check_cuda(cudaStreamCreate(&stream), "cudaStreamCreate");
    options.stream = stream;
    moesim::kernels::CublasLt lt;
    options.lt = &lt;
    for (const auto& c : cases) {
      if (!filter.empty() && c.name.find(filter) == std::string::npos) continue;
      for (BenchRow& r : c.run(options)) {
        print_row(r);
        std::fflush(stdout);
        rows.push_back(std::move(r));
      }
    }
    cudaStreamDestroy(stream);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "moesim-kernel-bench: %s\n", e.what());
    return 1;
  }
  bool all_ran = true;
  std::ofstream csv;
  if (!csv_path.empty()) {
    csv.open(csv_path);
    csv << "kernel,shape,median_us,min_us,max_us,repeats,flops,bytes,error\n";
  }
  for (const BenchRow& r : rows) {
    all_ran = all_ran && r.error.empty();
    if (csv.is_open()) {
      csv << r.name << ",\"" << r.shape << "\"," << r.timing.median_us << ',' << r.timing.min_us
          << ',' << r.timing.max_us << ',' << r.timing.repeats << ',' << r.flops << ',' << r.bytes
          << ",\"" << r.error << "\"\n";
    }
  }
  return all_ran ? 0 : 1;
}
