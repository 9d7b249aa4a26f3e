#pragma once
// A text picture of a ScheduleRun in the style of the DualPipe README figure:
// one row per rank, one character cell per unit of time, idle cells as '.'.
//
// The unit is the shortest instruction's duration, widened to makespan /
// max_width when the rows would not fit otherwise (then short instructions may
// vanish); instruction i covers cells round(start / unit) to round(end / unit).
// Each instruction's cells start with its letter and, where they fit, the
// micro-batch number, and are filled with the letter after that:
//   F forward, B backward (input grad, or a full backward when no W follows),
//   W weight grad, O optimizer step; an overlapped F&B pair is drawn as its
//   forward followed by its backward, halves of the pair's cells ("F3b7", "FB",
//   or "X" in one cell). DualPipe's reverse direction (micro-batches N/2..N-1)
//   is drawn in lower case and numbered from 0 within its direction, like the
//   README figure's second colour.
// Example, 1F1B on 2 ranks, 2 micro-batches, F = B = W = 1:
//   one cell = 1 s, makespan 9 s
//   rank 0 |FF..B0.B1
//   rank 1 |.FB0FB1..
// Deterministic; the header line and each row end with '\n'.

#include <string>

#include "sim/sched/executor.h"

namespace moesim {

// REQUIRES: max_width >= 1. Rows hold at most max_width cells after the
// "rank N |" prefix.
std::string render_schedule(const ScheduleRun& run, int max_width);

}  // namespace moesim
