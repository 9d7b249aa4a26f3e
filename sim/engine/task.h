#pragma once
// The engine's input: tasks on per-GPU streams, with dependencies.
//
// A task runs on one stream of one GPU. A stream runs its tasks one at a time
// in the order they were added to the TaskGraph (CUDA stream semantics: a task
// waits for the one added before it on the same stream, even when its own
// dependencies are met earlier). Tasks on different streams overlap freely.
//
// Kinds and what they cost:
//   kCompute        `work`: its time at the GPU's full SM count with no
//                   communication running. It runs slower while communication
//                   holds SMs on its GPU (engine.h, "SM sharing").
//   kCommunication  holds `sms` SMs of its GPU (unset: GpuConfig::comm_sms) from
//                   start to end; ends when `work` has elapsed *and* its network
//                   activity (`transfers`, handed to the NetworkBackend at start)
//                   has completed, whichever is later.
//   kCopy           copy engines, no SMs: ends when `work` has elapsed and its
//                   transfers have completed.
// A task with no transfers has no network activity.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/units.h"
#include "sim/engine/network_backend.h"

namespace moesim {

// Index of a task in its TaskGraph, in the order added.
struct TaskId {
  uint32_t value = 0;
  bool operator==(TaskId o) const { return value == o.value; }
  bool operator!=(TaskId o) const { return value != o.value; }
  bool operator<(TaskId o) const { return value < o.value; }
};

enum class TaskKind : std::uint8_t { kCompute, kCommunication, kCopy };
const char* to_string(TaskKind k);  // "compute", "communication", "copy"

// Default stream indices, one per kind; a GPU may use any number of streams.
constexpr int kComputeStream = 0;
constexpr int kCommunicationStream = 1;
constexpr int kCopyStream = 2;

struct Task {
  std::string name;  // for traces and error messages; need not be unique
  TaskKind kind = TaskKind::kCompute;
  int gpu = 0;
  int stream = kComputeStream;
  std::vector<TaskId> deps;                // must all end before this task starts
  Seconds work;                            // see the kinds above; >= 0
  TransferList transfers;                  // kCommunication and kCopy only
  std::optional<int> sms;                  // kCommunication only: SMs held
  // kCompute only: the share of `work` that is SM-bound and slows while
  // communication holds SMs; the rest (bandwidth-bound kernels) keeps its
  // speed. In [0, 1]; 1 (the default) slows all of it.
  double sm_bound = 1.0;

  static Task compute(std::string name, int gpu, Seconds work, std::vector<TaskId> deps = {});
  static Task communication(std::string name, int gpu, Seconds work,
                            TransferList transfers = {},
                            std::vector<TaskId> deps = {});
  static Task copy(std::string name, int gpu, Seconds work,
                   TransferList transfers = {}, std::vector<TaskId> deps = {});
};

class TaskGraph {
 public:
  // Dependencies may name tasks added later (forward references); they are
  // checked by task_graph_problems().
  TaskId add(Task t);
  const Task& task(TaskId id) const { return tasks_[id.value]; }
  const std::vector<Task>& tasks() const { return tasks_; }
  size_t size() const { return tasks_.size(); }

 private:
  std::vector<Task> tasks_;
};

struct GpuConfig {
  int sm_count = 132;  // H800/H100 SXM
  // SMs a communication task holds unless it says otherwise; 20 in DeepSeek-V3
  // training (DeepSeek-V3 report, section 3.2.2).
  int comm_sms = 20;
  // Share of the compute tasks' speed lost, beyond the SMs taken, while any
  // communication task runs on the GPU: the HBM bandwidth communication takes.
  // 0 (the default) models SM sharing alone; calibration sets it. In [0, 1).
  double interference = 0.0;
  bool operator==(const GpuConfig& o) const {
    return sm_count == o.sm_count && comm_sms == o.comm_sms && interference == o.interference;
  }
};

// Every problem that keeps `graph` from running on `gpus`, one sentence each:
// a GPU or stream out of range, negative work, a dependency on a task that does
// not exist or on itself, SMs out of [0, sm_count], transfers on a compute task,
// a bad GpuConfig, or a cycle through dependencies and stream order ("dependency
// cycle: a (t0) -> b (t1) -> a (t0)"). Empty when the graph can run.
std::vector<std::string> task_graph_problems(const std::vector<GpuConfig>& gpus,
                                             const TaskGraph& graph);

}  // namespace moesim
