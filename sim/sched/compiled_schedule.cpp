#include "sim/sched/compiled_schedule.h"

#include <map>
#include <mutex>
#include <tuple>

#include "sim/core/check.h"
#include "sim/sched/dependencies.h"
#include "sim/sched/generators.h"

namespace moesim {

CompiledSchedule::CompiledSchedule(const Schedule& s) : ranks_(s.ranks) {
  // Where each piece of work is produced: position in the order, once placed.
  const size_t cells = static_cast<size_t>(s.micro_batches) * static_cast<size_t>(s.stages);
  std::vector<int64_t> producer(3 * cells, -1);
  auto at = [&](const WorkRef& w) -> int64_t& {
    return producer[static_cast<size_t>(w.work) * cells +
                    static_cast<size_t>(w.chunk.micro_batch) * static_cast<size_t>(s.stages) +
                    static_cast<size_t>(w.chunk.stage)];
  };
  std::map<std::tuple<int, int, int>, uint32_t> key_of;
  std::vector<size_t> next(static_cast<size_t>(s.ranks), 0);
  std::vector<WorkRef> wanted, produced;
  std::vector<uint32_t> found;
  first_input_.push_back(0);
  for (bool progressed = true; progressed;) {
    progressed = false;
    for (int r = 0; r < s.ranks; ++r) {
      const std::vector<Instruction>& list = s.per_rank[static_cast<size_t>(r)];
      while (next[r] < list.size()) {
        const Instruction& i = list[next[r]];
        instruction_inputs(i, r, s, wanted);
        found.clear();
        bool ready = true;
        for (const WorkRef& w : wanted) {
          const int64_t p = at(w);
          if (p < 0) {
            ready = false;
            break;
          }
          found.push_back(static_cast<uint32_t>(p));
        }
        if (!ready) break;
        const auto key = std::make_tuple(static_cast<int>(i.op), i.chunk.stage,
                                         i.op == InstructionKind::kForwardBackward ? i.backward.stage : -1);
        auto k = key_of.find(key);
        if (k == key_of.end()) {
          k = key_of.emplace(key, static_cast<uint32_t>(keys_.size())).first;
          keys_.push_back(i);
        }
        const auto pos = static_cast<uint32_t>(key_.size());
        key_.push_back(k->second);
        rank_.push_back(static_cast<uint32_t>(r));
        inputs_.insert(inputs_.end(), found.begin(), found.end());
        first_input_.push_back(static_cast<uint32_t>(inputs_.size()));
        instruction_outputs(i, produced);
        for (const WorkRef& w : produced) at(w) = pos;
        ++next[r];
        progressed = true;
      }
    }
  }
  for (int r = 0; r < s.ranks; ++r)
    MOESIM_CHECK(next[r] == s.per_rank[static_cast<size_t>(r)].size(),
                 "a generated schedule deadlocks");
}

Seconds CompiledSchedule::makespan(const std::vector<Seconds>& times) const {
  MOESIM_CHECK(times.size() == keys_.size(), "one time per key");
  std::vector<Seconds> end(key_.size()), free_at(static_cast<size_t>(ranks_));
  Seconds last;
  for (size_t i = 0; i < key_.size(); ++i) {
    Seconds start = free_at[rank_[i]];
    for (uint32_t k = first_input_[i]; k < first_input_[i + 1]; ++k) start = max(start, end[inputs_[k]]);
    end[i] = start + times[key_[i]];
    free_at[rank_[i]] = end[i];
    last = max(last, end[i]);
  }
  return last;
}

std::shared_ptr<const CompiledSchedule> CompiledSchedule::compiled(ScheduleKind kind, int pp_ranks,
                                                                   int micro_batches,
                                                                   int virtual_stages,
                                                                   bool pairs) {
  static std::mutex mutex;
  static std::map<std::tuple<int, int, int, int, bool>, std::shared_ptr<const CompiledSchedule>>
      cache;
  const auto key =
      std::make_tuple(static_cast<int>(kind), pp_ranks, micro_batches, virtual_stages, pairs);
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  auto c = std::make_shared<const CompiledSchedule>(
      make_schedule(kind, pp_ranks, micro_batches, virtual_stages, pairs));
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= 256) cache.clear();  // a sweep over many shapes: keep memory bounded
  return cache.emplace(key, std::move(c)).first->second;
}

}  // namespace moesim
