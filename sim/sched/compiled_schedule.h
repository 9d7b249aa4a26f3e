#pragma once
// A generated schedule compiled once into a dependency graph, for callers that
// run the same schedule shape with many different instruction times (the
// analytic fidelity: every scenario of a sweep with the same plan shape).
// Running it is one pass over the instructions in a dependency order: each
// starts when its rank is free and its inputs (dependencies.h) have ended,
// exactly as simulate() (executor.h) would start it, without a timeline.
//
// Instructions that cost the same (same kind, forward stage and backward
// stage: times depend on the stages, not the micro-batch) share a key; the
// caller prices each key once.
//
// Thread safety: compiled() may be called from any thread; a CompiledSchedule
// is immutable.

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/core/units.h"
#include "sim/sched/schedule.h"

namespace moesim {

class CompiledSchedule {
 public:
  // make_schedule(kind, pp_ranks, micro_batches, virtual_stages, pairs),
  // compiled; kept in a process-wide cache. Throws InputError as
  // make_schedule does.
  static std::shared_ptr<const CompiledSchedule> compiled(ScheduleKind kind, int pp_ranks,
                                                          int micro_batches, int virtual_stages,
                                                          bool pairs = false);

  // One instruction per key: price these, in this order.
  const std::vector<Instruction>& keys() const { return keys_; }
  // The end of the last instruction on any rank with key k taking times[k].
  // REQUIRES: times.size() == keys().size().
  Seconds makespan(const std::vector<Seconds>& times) const;

  explicit CompiledSchedule(const Schedule& s);

 private:
  std::vector<Instruction> keys_;
  // In a dependency order: each instruction's key, rank, and its inputs
  // (positions in this order) in inputs_[first_input_[i] .. first_input_[i + 1]).
  std::vector<uint32_t> key_, rank_;
  std::vector<uint32_t> first_input_, inputs_;
  int ranks_ = 0;
};

}  // namespace moesim
