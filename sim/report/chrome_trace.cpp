#include "sim/report/chrome_trace.h"

#include <nlohmann/json.hpp>

namespace moesim {

namespace {

const char* category(InstructionKind k) {
  switch (k) {
    case InstructionKind::kForward: return "forward";
    case InstructionKind::kBackwardInput: return "backward_input";
    case InstructionKind::kBackwardWeight: return "backward_weight";
    case InstructionKind::kBackwardFull: return "backward_full";
    case InstructionKind::kForwardBackward: return "forward_backward";
    case InstructionKind::kOptimizerStep: return "optimizer";
  }
  return "?";
}

double us(Seconds s) { return seconds(s) * 1e6; }

}  // namespace

std::string chrome_trace_json(const StepTimeline& t, const std::string& title) {
  using nlohmann::json;
  json events = json::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 0}, {"tid", 0},
                    {"args", {{"name", title}}}});
  for (size_t r = 0; r < t.run.per_rank.size(); ++r) {
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 0}, {"tid", r},
                      {"args", {{"name", "rank " + std::to_string(r)}}}});
    for (const auto& e : t.run.per_rank[r].timeline) {
      if (e.instruction.op == InstructionKind::kOptimizerStep) continue;
      json args = {{"micro_batch", e.instruction.chunk.micro_batch},
                   {"stage", e.instruction.chunk.stage}};
      if (e.instruction.op == InstructionKind::kForwardBackward) {
        args["backward_micro_batch"] = e.instruction.backward.micro_batch;
        args["backward_stage"] = e.instruction.backward.stage;
      }
      events.push_back({{"name", to_string(e.instruction)},
                        {"cat", category(e.instruction.op)},
                        {"ph", "X"},
                        {"pid", 0},
                        {"tid", r},
                        {"ts", us(e.start)},
                        {"dur", us(e.end - e.start)},
                        {"args", args}});
    }
    const Seconds end = t.run.makespan;
    events.push_back({{"name", "dp_sync"}, {"cat", "dp_sync"}, {"ph", "X"}, {"pid", 0},
                      {"tid", r}, {"ts", us(end)}, {"dur", us(t.dp_sync)}});
    events.push_back({{"name", "optimizer"}, {"cat", "optimizer"}, {"ph", "X"}, {"pid", 0},
                      {"tid", r}, {"ts", us(end + t.dp_sync)}, {"dur", us(t.optimizer)}});
  }
  return json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump() + "\n";
}

}  // namespace moesim
