#include "sim/step/des_trace.h"

#include <nlohmann/json.hpp>

namespace moesim {

namespace {
// Per rank: the compute stream, EP and TP communication, pipeline sends, DP
// collectives (streams 0, 1, 3, 4 of sim/step/des_step.cpp).
constexpr int kTracks = 4;
const char* const kTrack[kTracks] = {" compute", " communication", " pipeline send", " DP sync"};
int track_of(const Task& t) {
  if (t.kind != TaskKind::kCommunication) return 0;
  if (t.stream == kComputeStream || t.stream == kCommunicationStream) return 1;
  return t.stream == 3 ? 2 : 3;
}
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
    for (int k = 0; k < kTracks; ++k)
      events.push_back({{"name", "thread_name"},
                        {"ph", "M"},
                        {"pid", 0},
                        {"tid", kTracks * r + k},
                        {"args", {{"name", "rank " + std::to_string(r) + kTrack[k]}}}});
  }
  const auto& tasks = d.graph.graph.tasks();
  for (size_t t = 0; t < tasks.size(); ++t) {
    const Task& task = tasks[t];
    const TaskRecord& rec = d.run.tasks[t];
    if (task.kind == TaskKind::kCopy || rec.end <= rec.start) continue;  // joins, empty work
    const bool comm = task.kind == TaskKind::kCommunication;
    events.push_back({{"name", task.name},
                      {"cat", comm ? "communication" : "compute"},
                      {"ph", "X"},
                      {"pid", 0},
                      {"tid", kTracks * task.gpu + track_of(task)},
                      {"ts", us(rec.start)},
                      {"dur", us(rec.end - rec.start)}});
  }
  return json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump() + "\n";
}

}  // namespace moesim
