#include "sim/step/des_trace.h"

#include <nlohmann/json.hpp>

namespace moesim {

namespace {
// Per rank: the compute stream, EP and TP communication, pipeline sends.
const char* const kTrack[3] = {" compute", " communication", " pipeline send"};
}  // namespace

std::string des_chrome_trace_json(const DesStep& d, const std::string& title) {
  using nlohmann::json;
  auto us = [](Seconds s) { return seconds(s) * 1e6; };
  json events = json::array();
  events.push_back({{"name", "process_name"},
                    {"ph", "M"},
                    {"pid", 0},
                    {"tid", 0},
                    {"args", {{"name", title + " (des)"}}}});
  const int ranks = static_cast<int>(d.graph.instruction_tasks.size());
  for (int r = 0; r < ranks; ++r) {
    for (int k = 0; k < 3; ++k)
      events.push_back({{"name", "thread_name"},
                        {"ph", "M"},
                        {"pid", 0},
                        {"tid", 3 * r + k},
                        {"args", {{"name", "rank " + std::to_string(r) + kTrack[k]}}}});
  }
  const auto& tasks = d.graph.graph.tasks();
  for (size_t t = 0; t < tasks.size(); ++t) {
    const Task& task = tasks[t];
    const TaskRecord& rec = d.run.tasks[t];
    if (task.kind == TaskKind::kCopy || rec.end <= rec.start) continue;  // joins, empty work
    const bool comm = task.kind == TaskKind::kCommunication;
    const int track = !comm ? 0 : task.stream == kComputeStream || task.stream == kCommunicationStream ? 1 : 2;
    events.push_back({{"name", task.name},
                      {"cat", comm ? "communication" : "compute"},
                      {"ph", "X"},
                      {"pid", 0},
                      {"tid", 3 * task.gpu + track},
                      {"ts", us(rec.start)},
                      {"dur", us(rec.end - rec.start)}});
  }
  for (int r = 0; r < ranks; ++r) {
    events.push_back({{"name", "dp_sync"},
                      {"cat", "dp_sync"},
                      {"ph", "X"},
                      {"pid", 0},
                      {"tid", 3 * r + 1},
                      {"ts", us(d.run.makespan)},
                      {"dur", us(d.dp_sync)}});
    events.push_back({{"name", "optimizer"},
                      {"cat", "optimizer"},
                      {"ph", "X"},
                      {"pid", 0},
                      {"tid", 3 * r},
                      {"ts", us(d.run.makespan + d.dp_sync)},
                      {"dur", us(d.optimizer)}});
  }
  return json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump() + "\n";
}

}  // namespace moesim
