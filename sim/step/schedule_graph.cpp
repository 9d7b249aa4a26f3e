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

ScheduleGraph schedule_task_graph(const Schedule& s, int tasks_per_instruction,
                                  const InstructionEmitter& emit) {
  MOESIM_CHECK(tasks_per_instruction >= 1, "an instruction needs at least one task");
  return schedule_task_graph(
      s, [tasks_per_instruction](const Instruction&, int) { return tasks_per_instruction; }, emit);
}

ScheduleGraph schedule_task_graph(const Schedule& s, const TaskCount& count,
                                  const InstructionEmitter& emit) {
  ScheduleGraph out;
  out.instruction_tasks.resize(static_cast<size_t>(s.ranks));
  // Pass 1: the task completing each instruction (ids follow insertion order)
  // and which instruction completes each piece of work.
  std::map<Key, TaskId> producer;
  std::vector<WorkRef> refs;
  std::vector<uint32_t> sizes;  // per instruction, in emission order
  uint32_t next = 0;
  for (int r = 0; r < s.ranks; ++r) {
    for (const Instruction& i : s.per_rank[static_cast<size_t>(r)]) {
      const int n = count(i, r);
      MOESIM_CHECK(n >= 1, "an instruction needs at least one task");
      const auto per = static_cast<uint32_t>(n);
      sizes.push_back(per);
      const TaskId done{next + per - 1};
      next += per;
      out.instruction_tasks[static_cast<size_t>(r)].push_back(done);
      instruction_outputs(i, refs);
      for (const WorkRef& w : refs) producer[key_of(w)] = done;
    }
  }
  // Pass 2: the tasks, with their dependencies (forward references allowed).
  size_t k = 0;
  for (int r = 0; r < s.ranks; ++r) {
    for (const Instruction& i : s.per_rank[static_cast<size_t>(r)]) {
      instruction_inputs(i, r, s, refs);
      std::vector<TaskId> deps;
      for (const WorkRef& w : refs) {
        auto it = producer.find(key_of(w));
        MOESIM_CHECK(it != producer.end(), "no instruction completes " + to_string(i) + "'s input");
        deps.push_back(it->second);
      }
      const size_t before = out.graph.size();
      emit(i, r, std::move(deps), out.graph);
      MOESIM_CHECK(out.graph.size() == before + sizes[k++],
                   "the emitter added the wrong number of tasks");
    }
  }
  return out;
}

ScheduleGraph schedule_task_graph(const Schedule& s,
                                  const std::function<Seconds(const Instruction&)>& duration) {
  return schedule_task_graph(
      s, 1, [&](const Instruction& i, int rank, std::vector<TaskId> inputs, TaskGraph& g) {
        g.add(Task::compute(to_string(i), rank, duration(i), std::move(inputs)));
      });
}

void NoNetwork::start(ActivityId, const std::vector<NetworkTransfer>&, Seconds) {
  MOESIM_CHECK(false, "NoNetwork::start: a graph without communication started a transfer");
}

NetworkStep NoNetwork::advance(std::optional<Seconds> limit) {
  MOESIM_CHECK(limit.has_value(), "NoNetwork::advance: nothing is running");
  return {*limit, {}};
}

}  // namespace moesim
