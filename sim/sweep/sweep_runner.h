#pragma once
// Evaluates sweep points on a pool of threads. Rows reach `sink` in completion
// order, from the worker threads concurrently: the sink must be thread-safe
// (SweepOutput::append is). Setting `stop` makes the
// workers finish the point they hold and return: the interrupted run's journal
// then holds whole rows only.

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/sweep/sweep_row.h"

namespace moesim {

struct SweepProgress {
  uint64_t done = 0, total = 0;
  double elapsed_s = 0;
};

struct SweepRunOptions {
  int jobs = 1;
  const std::atomic<bool>* stop = nullptr;
  // Called from the sink's thread after each row, at most every 100 ms, and once
  // at the end.
  std::function<void(const SweepProgress&)> progress;
};

struct SweepRunResult {
  uint64_t evaluated = 0;
  bool interrupted = false;
};

SweepRunResult run_sweep_points(const SweepSpec& spec, const std::vector<uint64_t>& pending,
                                const SweepRunOptions& options,
                                const std::function<void(const SweepRow&)>& sink);

// The same over points handed out by `next` (called under a lock; false when
// there are no more), `total` of them for progress: sweeps of a billion
// points never list them.
SweepRunResult run_sweep_points(const SweepSpec& spec, uint64_t total,
                                const std::function<bool(uint64_t* index)>& next,
                                const SweepRunOptions& options,
                                const std::function<void(const SweepRow&)>& sink);

}  // namespace moesim
