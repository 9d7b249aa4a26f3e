#include "sim/step/des_trace.h"

#include <nlohmann/json.hpp>

namespace moesim {

const char* to_string(DesTrack t) {
  switch (t) {
    case DesTrack::kCompute: return "compute";
    case DesTrack::kCommunication: return "communication";
    case DesTrack::kPipelineSend: return "pipeline send";
    case DesTrack::kDpSync: return "DP sync";
  }
  return "?";
}

// Per rank: the compute stream, EP and TP communication, pipeline sends, DP
// collectives (streams 0, 1, 3, 4 of sim/step/des_step.cpp).
DesTrack des_track_of(const Task& t) {
  if (t.kind != TaskKind::kCommunication) return DesTrack::kCompute;
  if (t.stream == kComputeStream || t.stream == kCommunicationStream)
    return DesTrack::kCommunication;
  return t.stream == 3 ? DesTrack::kPipelineSend : DesTrack::kDpSync;
}

std::vector<DesSpan> des_spans(const DesStep& d) {
  const auto& tasks = d.graph.graph.tasks();
  // The tasks of instruction k on rank r follow those of the instruction
  // before it in emission order (rank by rank, list order) up to its own
  // completing task (sim/step/schedule_graph.h).
  std::vector<int> instruction_of(tasks.size(), -1);
  uint32_t first = 0;
  for (size_t r = 0; r < d.graph.instruction_tasks.size(); ++r)
    for (size_t k = 0; k < d.graph.instruction_tasks[r].size(); ++k) {
      const uint32_t last = d.graph.instruction_tasks[r][k].value;
      for (uint32_t t = first; t <= last && t < tasks.size(); ++t)
        instruction_of[t] = static_cast<int>(k);
      first = last + 1;
    }
  std::vector<DesSpan> out;
  for (size_t t = 0; t < tasks.size(); ++t) {
    const Task& task = tasks[t];
    const TaskRecord& rec = d.run.tasks[t];
    if (task.kind == TaskKind::kCopy || rec.end <= rec.start) continue;  // joins, empty work
    DesSpan sp;
    sp.task = TaskId{static_cast<uint32_t>(t)};
    sp.rank = task.gpu;
    sp.track = des_track_of(task);
    sp.instruction = instruction_of[t];
    // "<instruction> B <segment>" (sim/step/des_step.cpp names the chains F and B).
    const size_t gap = task.name.find(' ');
    sp.backward = gap != std::string::npos && task.name.compare(gap, 3, " B ") == 0;
    sp.start = rec.start;
    sp.end = rec.end;
    out.push_back(sp);
  }
  return out;
}

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
    for (int k = 0; k < kDesTracks; ++k)
      events.push_back(
          {{"name", "thread_name"},
           {"ph", "M"},
           {"pid", 0},
           {"tid", kDesTracks * r + k},
           {"args",
            {{"name", "rank " + std::to_string(r) + " " + to_string(static_cast<DesTrack>(k))}}}});
  }
  const auto& tasks = d.graph.graph.tasks();
  for (const DesSpan& sp : des_spans(d)) {
    const Task& task = tasks[sp.task.value];
    events.push_back({{"name", task.name},
                      {"cat", task.kind == TaskKind::kCommunication ? "communication" : "compute"},
                      {"ph", "X"},
                      {"pid", 0},
                      {"tid", kDesTracks * sp.rank + static_cast<int>(sp.track)},
                      {"ts", us(sp.start)},
                      {"dur", us(sp.end - sp.start)}});
  }
  return json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump() + "\n";
}

}  // namespace moesim
