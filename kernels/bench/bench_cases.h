#pragma once
// The kernel benchmark's cases: every kernel of kernels/ at DeepSeek-V3's shapes (for the
// FP8 GEMM, the shapes of DeepGEMM's published H800 table, published-figures.md §10), so
// that a run on a GPU can be set against those numbers.

#include <cuda_runtime_api.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "kernels/bench/bench_timer.h"
#include "kernels/gemm.h"

namespace moesim::kernels::bench {

struct BenchOptions {
  int warmup = 10;
  int repeats = 50;
  std::size_t l2_bytes = 50u << 20;  // inputs rotate among enough copies to exceed 3x this
  cudaStream_t stream = nullptr;
  CublasLt* lt = nullptr;
};

struct BenchRow {
  std::string name;   // e.g. "fp8_gemm.forward"
  std::string shape;  // e.g. "m=4096 n=7168 k=16384"
  Timing timing;
  double flops = 0.0;  // per launch; 0 when not meaningful
  double bytes = 0.0;  // fewest bytes a launch must move through device memory
  std::string error;   // non-empty when the case could not run (e.g. can_implement said no)
};

struct BenchCase {
  std::string name;  // what --filter matches
  std::function<std::vector<BenchRow>(const BenchOptions&)> run;
};

std::vector<BenchCase> all_cases();

}  // namespace moesim::kernels::bench
