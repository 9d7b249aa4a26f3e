#include "sim/sweep/sweep_runner.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

namespace moesim {

SweepRunResult run_sweep_points(const SweepSpec& spec, const std::vector<uint64_t>& pending,
                                const SweepRunOptions& options,
                                const std::function<void(const SweepRow&)>& sink) {
  size_t at = 0;
  return run_sweep_points(
      spec, pending.size(),
      [&](uint64_t* index) {
        if (at >= pending.size()) return false;
        *index = pending[at++];
        return true;
      },
      options, sink);
}

SweepRunResult run_sweep_points(const SweepSpec& spec, uint64_t total,
                                const std::function<bool(uint64_t* index)>& next_point,
                                const SweepRunOptions& options,
                                const std::function<void(const SweepRow&)>& sink) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::mutex mu, hand_out;
  SweepRunResult result;
  auto last_report = start;
  auto report = [&](bool force) {
    if (!options.progress) return;
    const auto now = Clock::now();
    if (!force && now - last_report < std::chrono::milliseconds(100)) return;
    last_report = now;
    options.progress(SweepProgress{result.evaluated, total,
                                   std::chrono::duration<double>(now - start).count()});
  };
  auto worker = [&] {
    for (;;) {
      if (options.stop && options.stop->load()) return;
      uint64_t index = 0;
      {
        std::lock_guard<std::mutex> lock(hand_out);
        if (!next_point(&index)) return;
      }
      sink(evaluate_point(spec, index));
      std::lock_guard<std::mutex> lock(mu);
      ++result.evaluated;
      report(false);
    }
  };
  const int jobs = std::max(1, options.jobs);
  std::vector<std::thread> threads;
  for (int t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  result.interrupted = result.evaluated < total;
  report(true);
  return result;
}

}  // namespace moesim
