#pragma once
// Chrome trace JSON of a des step: per pipeline rank one track for its compute
// stream (the optimizer step included), one for EP/TP communication, one for
// pipeline sends and one for ZeRO DP collectives, so the overlap (and what is
// not overlapped) is visible in Perfetto. Deterministic.

#include <string>
#include <vector>

#include "sim/step/des_step.h"

namespace moesim {

// The tracks of one pipeline rank, in the order the trace and the studio
// show them.
enum class DesTrack { kCompute, kCommunication, kPipelineSend, kDpSync };
inline constexpr int kDesTracks = 4;
const char* to_string(DesTrack t);  // "compute", "communication", "pipeline send", "DP sync"
// The track a task of the step's graph runs on (its stream and kind).
DesTrack des_track_of(const Task& t);

// One task of a des step as the trace and the studio draw it.
struct DesSpan {
  TaskId task;
  int rank = 0;
  DesTrack track = DesTrack::kCompute;
  // Index of the instruction in the rank's list (the schedule's per_rank)
  // whose chains hold the task; -1 for the step boundary (DP collectives,
  // optimizer).
  int instruction = -1;
  bool backward = false;  // of the backward chain (the B half of an F&B pair)
  Seconds start, end;
};
// Every task that ran for a time (joins and empty work left out), in task order.
std::vector<DesSpan> des_spans(const DesStep& d);

std::string des_chrome_trace_json(const DesStep& d, const std::string& title);

}  // namespace moesim
