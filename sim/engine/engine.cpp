#include "sim/engine/engine.h"

#include <algorithm>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <utility>

#include "sim/core/check.h"

namespace moesim {

Seconds StreamTimeline::busy() const {
  Seconds total;
  for (const BusyInterval& b : intervals) total += b.end - b.start;
  return total;
}

namespace {

enum class Status : std::uint8_t { kWaiting, kRunning, kDone };

struct TaskState {
  Status status = Status::kWaiting;
  size_t deps_left = 0;
  std::vector<uint32_t> dependents;
  int stream_index = 0;
  bool work_done = false;     // the work timer has expired
  bool network_done = false;  // the network activity has completed (or there is none)
  // Compute tasks: work left at full speed as of `updated`, current speed, and
  // the version of the timer event that is valid.
  Seconds remaining;
  Seconds updated;
  double speed = 0.0;
  bool planned = false;  // a timer has been planned at some speed
  uint64_t version = 0;
};

struct StreamState {
  int gpu = 0;
  int stream = 0;
  std::vector<uint32_t> tasks;  // in the order added
  size_t head = 0;              // first task not yet ended
};

struct GpuState {
  int held_sms = 0;
  int running_comm = 0;
  std::set<uint32_t> running_compute;  // ordered: rescaling visits them by id
};

// A work timer's expiry. Ordered by (time, seq): the earliest first, ties in
// the order pushed.
struct TimerEvent {
  Seconds time;
  uint64_t seq = 0;
  uint32_t task = 0;
  uint64_t version = 0;
};
struct Later {
  bool operator()(const TimerEvent& a, const TimerEvent& b) const {
    if (a.time != b.time) return a.time > b.time;
    return a.seq > b.seq;
  }
};

class Run {
 public:
  Run(const std::vector<GpuConfig>& gpus, const TaskGraph& graph, NetworkBackend& network)
      : gpus_(gpus), graph_(graph), network_(network), state_(graph.size()), gpu_(gpus.size()) {
    const auto& ts = graph.tasks();
    std::map<std::pair<int, int>, int> stream_index;
    for (const Task& t : ts) stream_index.emplace(std::make_pair(t.gpu, t.stream), 0);
    for (auto& [key, index] : stream_index) {
      index = static_cast<int>(streams_.size());
      streams_.push_back({key.first, key.second, {}, 0});
    }
    for (uint32_t i = 0; i < ts.size(); ++i) {
      TaskState& s = state_[i];
      s.stream_index = stream_index.at({ts[i].gpu, ts[i].stream});
      streams_[s.stream_index].tasks.push_back(i);
      s.deps_left = ts[i].deps.size();
      for (TaskId d : ts[i].deps) state_[d.value].dependents.push_back(i);
    }
    result_.tasks.resize(ts.size());
  }

  EngineRun run() {
    for (size_t k = 0; k < streams_.size(); ++k) candidates_.insert(static_cast<int>(k));
    std::vector<int> changed_gpus = start_ready(Seconds());
    rescale(changed_gpus, Seconds());
    while (done_ < state_.size()) step();
    result_.streams.reserve(streams_.size());
    for (const StreamState& st : streams_) {
      StreamTimeline line{st.gpu, st.stream, {}};
      for (uint32_t i : st.tasks)
        line.intervals.push_back({TaskId{i}, result_.tasks[i].start, result_.tasks[i].end});
      result_.streams.push_back(std::move(line));
    }
    return std::move(result_);
  }

 private:
  const Task& task(uint32_t i) const { return graph_.tasks()[i]; }

  void drop_stale_timers() {
    while (!timers_.empty()) {
      const TimerEvent& e = timers_.top();
      const TaskState& s = state_[e.task];
      if (s.status == Status::kRunning && !s.work_done && s.version == e.version) return;
      timers_.pop();
    }
  }

  // One instant: let the network run to our next timer (it stops earlier at a
  // completion), end what ends then, start what becomes ready, rescale.
  void step() {
    drop_stale_timers();
    std::optional<Seconds> next;
    if (!timers_.empty()) next = timers_.top().time;
    MOESIM_CHECK(next.has_value() || network_.busy(),
                 "engine: no event pending with " + std::to_string(state_.size() - done_) +
                     " tasks unfinished (task_graph_problems should have found a cycle)");
    // The network runs to our next timer or stops earlier at a completion.
    NetworkStep net;
    if (network_.busy() || next) net = network_.advance(next);
    const Seconds now = net.time;
    MOESIM_CHECK(now >= now_ && (!next || now <= *next),
                 "engine: the network backend stopped outside [now, next timer]");
    now_ = now;

    std::vector<uint32_t> ending;
    while (!timers_.empty() && timers_.top().time == now) {
      TimerEvent e = timers_.top();
      timers_.pop();
      TaskState& s = state_[e.task];
      if (s.status != Status::kRunning || s.work_done || s.version != e.version) continue;
      s.work_done = true;
      if (s.network_done) ending.push_back(e.task);
    }
    for (ActivityId a : net.completed) {
      TaskState& s = state_[a.value];
      MOESIM_CHECK(s.status == Status::kRunning && !s.network_done,
                   "network backend completed an activity that is not running");
      s.network_done = true;
      if (s.work_done) ending.push_back(a.value);
    }
    std::sort(ending.begin(), ending.end());

    std::vector<int> changed_gpus;
    for (uint32_t i : ending) end_task(i, now, changed_gpus);
    std::vector<int> started_on = start_ready(now);
    changed_gpus.insert(changed_gpus.end(), started_on.begin(), started_on.end());
    rescale(changed_gpus, now);
  }

  void end_task(uint32_t i, Seconds now, std::vector<int>& changed_gpus) {
    TaskState& s = state_[i];
    const Task& t = task(i);
    s.status = Status::kDone;
    ++done_;
    result_.tasks[i].end = now;
    result_.events.push_back({now, EngineEventKind::kEnd, TaskId{i}});
    result_.makespan = max(result_.makespan, now);
    GpuState& g = gpu_[t.gpu];
    if (t.kind == TaskKind::kCompute) g.running_compute.erase(i);
    if (t.kind == TaskKind::kCommunication) {
      g.held_sms -= sms_of(t);
      --g.running_comm;
      changed_gpus.push_back(t.gpu);
    }
    StreamState& st = streams_[s.stream_index];
    ++st.head;
    candidates_.insert(s.stream_index);
    for (uint32_t d : s.dependents) {
      --state_[d].deps_left;
      candidates_.insert(state_[d].stream_index);
    }
  }

  // Starts the head of every candidate stream whose dependencies have ended;
  // returns the GPUs where compute or communication started (to rescale).
  std::vector<int> start_ready(Seconds now) {
    std::vector<int> started_on;
    std::set<int> candidates;
    candidates.swap(candidates_);
    for (int k : candidates) {
      const StreamState& st = streams_[k];
      if (st.head >= st.tasks.size()) continue;
      const uint32_t i = st.tasks[st.head];
      TaskState& s = state_[i];
      if (s.status != Status::kWaiting || s.deps_left > 0) continue;
      start_task(i, now);
      if (task(i).kind != TaskKind::kCopy) started_on.push_back(task(i).gpu);
    }
    return started_on;
  }

  void start_task(uint32_t i, Seconds now) {
    TaskState& s = state_[i];
    const Task& t = task(i);
    s.status = Status::kRunning;
    result_.tasks[i].start = now;
    result_.events.push_back({now, EngineEventKind::kStart, TaskId{i}});
    GpuState& g = gpu_[t.gpu];
    if (t.kind == TaskKind::kCompute) {
      // Its timer is planned by rescale(), which sees the GPU's final state at `now`.
      s.remaining = t.work;
      s.updated = now;
      s.network_done = true;
      g.running_compute.insert(i);
      return;
    }
    if (t.kind == TaskKind::kCommunication) {
      g.held_sms += sms_of(t);
      ++g.running_comm;
    }
    push_timer(i, now + t.work);
    s.network_done = t.transfers.empty();
    if (!t.transfers.empty()) network_.start(ActivityId{i}, t.transfers.get(), now);
  }

  int sms_of(const Task& t) const { return t.sms ? *t.sms : gpus_[t.gpu].comm_sms; }

  // A compute task's speed on its GPU now (engine.h, "SM sharing").
  double compute_speed(const Task& t) const {
    const GpuConfig& c = gpus_[t.gpu];
    const GpuState& g = gpu_[t.gpu];
    const int free_sms = std::max(0, c.sm_count - g.held_sms);
    if (free_sms == 0) return 0.0;
    const double share = static_cast<double>(free_sms) / static_cast<double>(c.sm_count);
    double speed = share == 1.0 ? 1.0 : 1.0 / (t.sm_bound / share + (1.0 - t.sm_bound));
    if (g.running_comm > 0) speed *= 1.0 - c.interference;
    return speed;
  }

  // Re-plans every running compute task on `changed_gpus` (where communication
  // started or ended, or compute started) whose speed differs from its GPU's now;
  // newly started ones are always planned.
  void rescale(std::vector<int> changed_gpus, Seconds now) {
    std::sort(changed_gpus.begin(), changed_gpus.end());
    changed_gpus.erase(std::unique(changed_gpus.begin(), changed_gpus.end()), changed_gpus.end());
    for (int gpu : changed_gpus) {
      for (uint32_t i : gpu_[gpu].running_compute) {
        TaskState& s = state_[i];
        const double speed = compute_speed(task(i));
        if (s.planned && s.speed == speed) continue;
        if (s.planned) s.remaining = max(Seconds(), s.remaining - (now - s.updated) * s.speed);
        s.updated = now;
        s.speed = speed;
        s.planned = true;
        ++s.version;
        if (s.remaining == Seconds())
          push_timer(i, now);
        else if (speed > 0.0)
          push_timer(i, now + s.remaining / speed);
        // speed 0: no timer until communication releases SMs.
      }
    }
  }

  void push_timer(uint32_t i, Seconds at) { timers_.push({at, next_seq_++, i, state_[i].version}); }

  const std::vector<GpuConfig>& gpus_;
  const TaskGraph& graph_;
  NetworkBackend& network_;
  std::vector<TaskState> state_;
  std::vector<StreamState> streams_;
  std::vector<GpuState> gpu_;
  std::set<int> candidates_;  // streams whose head may have become ready
  std::priority_queue<TimerEvent, std::vector<TimerEvent>, Later> timers_;
  uint64_t next_seq_ = 0;
  size_t done_ = 0;
  Seconds now_;
  EngineRun result_;
};

}  // namespace

EngineRun execute(const std::vector<GpuConfig>& gpus, const TaskGraph& graph,
                  NetworkBackend& network) {
  const std::vector<std::string> problems = task_graph_problems(gpus, graph);
  std::string text;
  for (const std::string& p : problems) text += (text.empty() ? "" : "; ") + p;
  MOESIM_CHECK(problems.empty(), text);
  return Run(gpus, graph, network).run();
}

}  // namespace moesim
