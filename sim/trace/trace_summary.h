#pragma once
// A profiler trace summed the way moesim prices a step: per stage (the
// annotation that names it, e.g. "mlp(W)") and per op class (KernelMap), the
// GPU time the class kept busy (the union of its kernels' intervals over all
// streams, so two compute streams running at once count once), the share of
// that time a communication kernel ran beside it (on any stream), and how many
// instances of the stage (layers) the trace holds. Kernels that no rule
// classifies are listed, never dropped.

#include <map>
#include <string>
#include <vector>

#include "sim/trace/kernel_map.h"
#include "sim/trace/kineto_trace.h"

namespace moesim {

struct ClassTime {
  int kernels = 0;
  double busy_us = 0;          // union of the class's kernels, summed over instances
  double kernel_us = 0;        // sum of kernel durations
  double comm_overlap_us = 0;  // of kernel_us, with a communication kernel running
  double comm_share() const { return kernel_us > 0 ? comm_overlap_us / kernel_us : 0; }
};

struct StageSummary {
  std::string name;  // as annotated
  std::string block;
  StagePass pass = StagePass::kForward;
  int instances = 0;
  double busy_us = 0;  // union of all its kernels, summed over instances
  std::map<KernelClass, ClassTime> classes;
};

struct UnknownKernel {
  std::string name;
  int count = 0;
  double us = 0;
};

struct TraceSummary {
  std::string file, device, date;
  int rank = -1, world_size = -1;
  std::vector<int> streams;                 // every stream with a kernel, ascending
  std::vector<StageSummary> stages;         // in order of first appearance
  std::vector<UnknownKernel> unknown;       // by name, in order of first appearance
  int kernels = 0;
  int kernels_outside_stages = 0;           // classified, but in no stage annotation
  double outside_stages_us = 0;
  std::map<KernelClass, ClassTime> totals;  // whole trace, per class
  double span_us = 0;                       // first kernel start to last kernel end
  double compute_busy_us = 0;               // union of every non-communication kernel
  double comm_busy_us = 0;                  // union of every communication kernel

  const StageSummary* stage(const std::string& name) const;
};

TraceSummary summarize_trace(const KernelTrace& t, const KernelMap& map);

}  // namespace moesim
