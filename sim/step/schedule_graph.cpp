#include "sim/step/schedule_graph.h"

#include <map>
#include <tuple>

#include "sim/core/check.h"
#include "sim/sched/dependencies.h"

namespace moesim {

namespace {
using Key = std::tuple<int, int, int>;  // (work, micro-batch, stage)
Key key_of(const WorkRef& w) {
  return {static_cast<int>(w.work), w.chunk.micro_batch, w.chunk.stage};
}
}  // namespace

ScheduleGraph schedule_task_graph(const Schedule& s,
                                  const std::function<Seconds(const Instruction&)>& duration) {
  ScheduleGraph out;
  out.instruction_tasks.resize(static_cast<size_t>(s.ranks));
  // Pass 1: the task each instruction becomes (ids follow insertion order) and
  // which task completes each piece of work.
  std::map<Key, TaskId> producer;
  std::vector<WorkRef> refs;
  uint32_t next = 0;
  for (int r = 0; r < s.ranks; ++r) {
    for (const Instruction& i : s.per_rank[static_cast<size_t>(r)]) {
      const TaskId id{next++};
      out.instruction_tasks[static_cast<size_t>(r)].push_back(id);
      instruction_outputs(i, refs);
      for (const WorkRef& w : refs) producer[key_of(w)] = id;
    }
  }
  // Pass 2: the tasks, with their dependencies (forward references allowed).
  for (int r = 0; r < s.ranks; ++r) {
    for (const Instruction& i : s.per_rank[static_cast<size_t>(r)]) {
      instruction_inputs(i, r, s, refs);
      std::vector<TaskId> deps;
      for (const WorkRef& w : refs) {
        auto it = producer.find(key_of(w));
        MOESIM_CHECK(it != producer.end(), "no instruction completes " + to_string(i) + "'s input");
        deps.push_back(it->second);
      }
      out.graph.add(Task::compute(to_string(i), r, duration(i), std::move(deps)));
    }
  }
  return out;
}

void NoNetwork::start(ActivityId, const std::vector<NetworkTransfer>&, Seconds) {
  MOESIM_CHECK(false, "NoNetwork::start: a graph without communication started a transfer");
}

}  // namespace moesim
