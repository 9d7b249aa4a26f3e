#pragma once
// The discrete-event executor: runs a TaskGraph on GPUs whose streams share
// SMs, with network activities handed to a NetworkBackend. Produces each task's
// start and end, each stream's busy intervals and the makespan.
//
// A task starts as soon as (a) every dependency has ended and (b) every task
// added before it on the same stream has ended. Nothing else delays it: a
// launch costs nothing and a GPU runs any number of streams at once.
//
// SM sharing (rate model). A compute task's `work` is its time at full speed.
// While it runs, its speed on GPU g is
//     share = (sm_count - held) / sm_count
//     speed = 1 / (sm_bound / share + 1 - sm_bound) * (1 - interference if comm > 0)
// where `held` is the sum of the SMs held by the communication tasks running on
// g (capped at sm_count; no free SM: speed 0), `comm` their number and
// sm_bound the task's SM-bound share of its work (Task::sm_bound: 1 by
// default; bandwidth-bound kernels keep their speed on fewer SMs). Whenever `held` or `comm`
// changes, every running compute task on g keeps the work it has left and
// continues at the new speed, so a compute task that overlaps communication for
// time T on a 132-SM GPU with 20 SMs taken ends T * 20/132 later than alone.
// Compute tasks running together on different streams of one GPU do not slow
// each other (each is assumed to fit in the SMs communication leaves); model
// that with dependencies or one stream where it matters. Copy tasks take no SMs.
//
// Event loop. Work-timer ends (fixed for communication and copy tasks,
// re-planned for compute tasks when their speed changes) sit in a priority
// queue ordered by (time, sequence number). The network backend runs to the
// queue's earliest time and stops earlier where an activity completes
// (network_backend.h); that instant is the next event. Everything that ends at that instant
// is ended in increasing task id order, then every stream whose head became
// ready starts it, in (gpu, stream) order.
//
// Determinism: a pure function of (gpus, graph, backend's answers); no
// container with unspecified order decides anything, so identical inputs give
// identical event order and times, bit for bit.

#include <cstdint>
#include <vector>

#include "sim/core/units.h"
#include "sim/engine/network_backend.h"
#include "sim/engine/task.h"

namespace moesim {

struct TaskRecord {
  Seconds start;
  Seconds end;
  bool operator==(const TaskRecord& o) const { return start == o.start && end == o.end; }
};

struct BusyInterval {
  TaskId task;
  Seconds start;
  Seconds end;
  bool operator==(const BusyInterval& o) const {
    return task == o.task && start == o.start && end == o.end;
  }
};

// One stream of one GPU: the tasks it ran, in order (they never overlap).
struct StreamTimeline {
  int gpu = 0;
  int stream = 0;
  std::vector<BusyInterval> intervals;
  Seconds busy() const;  // sum of the intervals' lengths
  bool operator==(const StreamTimeline& o) const {
    return gpu == o.gpu && stream == o.stream && intervals == o.intervals;
  }
};

enum class EngineEventKind : std::uint8_t { kStart, kEnd };

struct EngineEvent {
  Seconds time;
  EngineEventKind kind = EngineEventKind::kStart;
  TaskId task;
  bool operator==(const EngineEvent& o) const {
    return time == o.time && kind == o.kind && task == o.task;
  }
};

struct EngineRun {
  std::vector<TaskRecord> tasks;        // indexed by TaskId::value
  std::vector<StreamTimeline> streams;  // streams that ran a task, by (gpu, stream)
  std::vector<EngineEvent> events;      // every start and end, in processing order
  Seconds makespan;                     // the last end; 0 for an empty graph
};

// Runs `graph` from t = 0 on `gpus` (GpuConfig of GPU i at index i), starting
// network activities on `network`, which must be fresh (clock at 0, nothing
// started).
// REQUIRES: task_graph_problems(gpus, graph) is empty (checked: std::logic_error
// naming every problem, e.g. a dependency cycle; never a hang).
EngineRun execute(const std::vector<GpuConfig>& gpus, const TaskGraph& graph,
                  NetworkBackend& network);

}  // namespace moesim
