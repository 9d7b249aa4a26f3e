#pragma once
// A pipeline schedule as a task graph for the discrete-event engine: the
// bridge from sim/sched's instruction lists to sim/engine. In this first form
// each instruction becomes one compute task on its rank's compute stream (GPU =
// pipeline rank), in list order, depending on the tasks that complete its
// inputs (sim/sched/dependencies.h). Run with no communication, the engine then
// reproduces sched's executor exactly (tests/step). Next: split instructions
// into their ops, with EP dispatch/combine and pipeline sends as communication
// tasks whose flows go to the network backend (docs/architecture.md).

#include <functional>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/engine/task.h"
#include "sim/sched/schedule.h"

namespace moesim {

struct ScheduleGraph {
  TaskGraph graph;
  std::vector<std::vector<TaskId>> instruction_tasks;  // [rank][instruction] -> task
};

// Adds the tasks of one instruction on `rank`, which must wait for `inputs`
// (the completion tasks of the instructions producing its inputs), and returns
// nothing: it must add exactly as many tasks as announced, the last of which
// completes the instruction (dependencies may name tasks not added yet).
using InstructionEmitter = std::function<void(const Instruction& i, int rank,
                                              std::vector<TaskId> inputs, TaskGraph& graph)>;

// The general form: instruction i on rank r becomes count(i, r) >= 1 tasks.
// count is called once per instruction, all before the first emit, and in the
// order emit is then called (rank by rank, in list order).
// REQUIRES: schedule_problems(s) empty.
using TaskCount = std::function<int(const Instruction& i, int rank)>;
ScheduleGraph schedule_task_graph(const Schedule& s, const TaskCount& count,
                                  const InstructionEmitter& emit);

// Every instruction becomes `tasks_per_instruction` tasks.
// REQUIRES: schedule_problems(s) empty; tasks_per_instruction >= 1.
ScheduleGraph schedule_task_graph(const Schedule& s, int tasks_per_instruction,
                                  const InstructionEmitter& emit);

// One compute task per instruction on its rank, lasting duration(i).
// REQUIRES: schedule_problems(s) empty; durations >= 0.
ScheduleGraph schedule_task_graph(const Schedule& s,
                                  const std::function<Seconds(const Instruction&)>& duration);

// A backend for graphs without communication: start() is a bug.
class NoNetwork : public NetworkBackend {
 public:
  void start(ActivityId id, const std::vector<NetworkTransfer>& flows, Seconds now) override;
  bool busy() const override { return false; }
  NetworkStep advance(std::optional<Seconds> limit) override;
};

}  // namespace moesim
