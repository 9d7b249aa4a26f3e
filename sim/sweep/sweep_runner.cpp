#include "sim/sweep/sweep_runner.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

namespace moesim {

SweepRunResult run_sweep_points(const SweepSpec& spec, const std::vector<uint64_t>& pending,
                                const SweepRunOptions& options,
                                const std::function<void(const SweepRow&)>& sink) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::atomic<size_t> next{0};
  std::mutex mu;
  SweepRunResult result;
  auto last_report = start;
  auto report = [&](bool force) {
    if (!options.progress) return;
    const auto now = Clock::now();
    if (!force && now - last_report < std::chrono::milliseconds(100)) return;
    last_report = now;
    options.progress(SweepProgress{result.evaluated, pending.size(),
                                   std::chrono::duration<double>(now - start).count()});
  };
  auto worker = [&] {
    for (;;) {
      if (options.stop && options.stop->load()) return;
      const size_t i = next.fetch_add(1);
      if (i >= pending.size()) return;
      sink(evaluate_point(spec, pending[i]));
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
  result.interrupted = result.evaluated < pending.size();
  report(true);
  return result;
}

}  // namespace moesim
