#include "sim/engine/task.h"

#include <algorithm>
#include <map>
#include <utility>

namespace moesim {

const char* to_string(TaskKind k) {
  switch (k) {
    case TaskKind::kCompute:
      return "compute";
    case TaskKind::kCommunication:
      return "communication";
    case TaskKind::kCopy:
      return "copy";
  }
  return "?";
}

Task Task::compute(std::string name, int gpu, Seconds work, std::vector<TaskId> deps) {
  Task t;
  t.name = std::move(name);
  t.kind = TaskKind::kCompute;
  t.gpu = gpu;
  t.stream = kComputeStream;
  t.deps = std::move(deps);
  t.work = work;
  return t;
}

Task Task::communication(std::string name, int gpu, Seconds work,
                         TransferList transfers, std::vector<TaskId> deps) {
  Task t = compute(std::move(name), gpu, work, std::move(deps));
  t.kind = TaskKind::kCommunication;
  t.stream = kCommunicationStream;
  t.transfers = std::move(transfers);
  return t;
}

Task Task::copy(std::string name, int gpu, Seconds work, TransferList transfers,
                std::vector<TaskId> deps) {
  Task t = communication(std::move(name), gpu, work, std::move(transfers), std::move(deps));
  t.kind = TaskKind::kCopy;
  t.stream = kCopyStream;
  return t;
}

TaskId TaskGraph::add(Task t) {
  tasks_.push_back(std::move(t));
  return TaskId{static_cast<uint32_t>(tasks_.size() - 1)};
}

namespace {

std::string describe(const TaskGraph& g, uint32_t i) {
  return "t" + std::to_string(i) + " '" + g.tasks()[i].name + "'";
}

// Predecessors of every task: its dependencies, then the task before it on its
// stream. Only valid edges (ids in range).
std::vector<std::vector<uint32_t>> predecessors(const TaskGraph& g) {
  const auto& ts = g.tasks();
  std::vector<std::vector<uint32_t>> pred(ts.size());
  std::map<std::pair<int, int>, uint32_t> last_on_stream;
  for (uint32_t i = 0; i < ts.size(); ++i) {
    for (TaskId d : ts[i].deps)
      if (d.value < ts.size()) pred[i].push_back(d.value);
    auto key = std::make_pair(ts[i].gpu, ts[i].stream);
    auto it = last_on_stream.find(key);
    if (it != last_on_stream.end()) pred[i].push_back(it->second);
    last_on_stream[key] = i;
  }
  return pred;
}

// A cycle among the tasks that a topological sort cannot order, as text, or "".
std::string find_cycle(const TaskGraph& g) {
  const auto pred = predecessors(g);
  const size_t n = pred.size();
  std::vector<std::vector<uint32_t>> succ(n);
  std::vector<size_t> indegree(n, 0);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t p : pred[i]) {
      succ[p].push_back(i);
      ++indegree[i];
    }
  std::vector<uint32_t> ready;
  for (uint32_t i = 0; i < n; ++i)
    if (indegree[i] == 0) ready.push_back(i);
  size_t ordered = 0;
  while (!ready.empty()) {
    uint32_t i = ready.back();
    ready.pop_back();
    ++ordered;
    for (uint32_t s : succ[i])
      if (--indegree[s] == 0) ready.push_back(s);
  }
  if (ordered == n) return "";
  // Every unordered task has an unordered predecessor: walk back until a task
  // repeats; the walk from its first visit is a cycle.
  uint32_t at = 0;
  while (indegree[at] == 0) ++at;
  std::vector<uint32_t> walk;
  std::vector<size_t> seen_at(n, n);
  while (seen_at[at] == n) {
    seen_at[at] = walk.size();
    walk.push_back(at);
    for (uint32_t p : pred[at])
      if (indegree[p] > 0) {
        at = p;
        break;
      }
  }
  std::string text = "dependency cycle: " + describe(g, at);
  for (size_t k = seen_at[at] + 1; k < walk.size(); ++k)
    text += " waits for " + describe(g, walk[k]);
  text += " waits for " + describe(g, at) + " (through dependencies and stream order)";
  return text;
}

}  // namespace

std::vector<std::string> task_graph_problems(const std::vector<GpuConfig>& gpus,
                                             const TaskGraph& graph) {
  std::vector<std::string> problems;
  for (size_t i = 0; i < gpus.size(); ++i) {
    const GpuConfig& c = gpus[i];
    const std::string where = "gpu " + std::to_string(i) + ": ";
    if (c.sm_count <= 0) problems.push_back(where + "sm_count must be positive");
    if (c.comm_sms < 0 || c.comm_sms > c.sm_count)
      problems.push_back(where + "comm_sms " + std::to_string(c.comm_sms) +
                         " is not in [0, sm_count]");
    if (!(c.interference >= 0.0 && c.interference < 1.0))
      problems.push_back(where + "interference must be in [0, 1)");
  }
  const auto& ts = graph.tasks();
  for (uint32_t i = 0; i < ts.size(); ++i) {
    const Task& t = ts[i];
    const std::string where = describe(graph, i) + ": ";
    if (t.gpu < 0 || static_cast<size_t>(t.gpu) >= gpus.size()) {
      problems.push_back(where + "gpu " + std::to_string(t.gpu) + " is not in [0, " +
                         std::to_string(gpus.size()) + ")");
      continue;
    }
    if (t.stream < 0) problems.push_back(where + "stream must be >= 0");
    if (!(t.work >= Seconds())) problems.push_back(where + "work must be >= 0");
    for (TaskId d : t.deps) {
      if (d.value >= ts.size())
        problems.push_back(where + "depends on t" + std::to_string(d.value) +
                           ", which does not exist");
      else if (d.value == i)
        problems.push_back(where + "depends on itself");
    }
    if (t.kind == TaskKind::kCompute && !t.transfers.empty())
      problems.push_back(where + "a compute task has no network transfers");
    if (t.sms && t.kind != TaskKind::kCommunication)
      problems.push_back(where + "only communication tasks hold SMs");
    if (t.sms && (*t.sms < 0 || *t.sms > gpus[t.gpu].sm_count))
      problems.push_back(where + "sms " + std::to_string(*t.sms) + " is not in [0, sm_count]");
    if (!(t.sm_bound >= 0.0 && t.sm_bound <= 1.0))
      problems.push_back(where + "sm_bound " + std::to_string(t.sm_bound) + " is not in [0, 1]");
    for (const NetworkTransfer& f : t.transfers)
      if (!(f.bytes >= Bytes())) problems.push_back(where + "a transfer has negative bytes");
  }
  if (problems.empty()) {
    std::string cycle = find_cycle(graph);
    if (!cycle.empty()) problems.push_back(cycle);
  }
  return problems;
}

}  // namespace moesim
