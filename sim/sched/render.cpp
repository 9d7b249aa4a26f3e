#include "sim/sched/render.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/core/check.h"

namespace moesim {

namespace {

char letter(InstructionKind op) {
  switch (op) {
    case InstructionKind::kForward:
      return 'F';
    case InstructionKind::kBackwardInput:
    case InstructionKind::kBackwardFull:
      return 'B';
    case InstructionKind::kBackwardWeight:
      return 'W';
    case InstructionKind::kForwardBackward:
      return 'X';
    case InstructionKind::kOptimizerStep:
      return 'O';
  }
  return '?';
}

// Writes `mark` and the micro-batch's number into row[from, to) where they fit,
// else `mark` alone, and fills the rest of the span with `mark`. DualPipe's
// reverse direction, micro-batches [N/2, N), is drawn in lower case and numbered
// from 0 within its direction.
void label(const ScheduleRun& run, std::string& row, int from, int to, char mark, int micro_batch) {
  if (run.kind == ScheduleKind::kDualPipe && micro_batch >= run.micro_batches / 2) {
    mark = static_cast<char>(mark - 'A' + 'a');
    micro_batch -= run.micro_batches / 2;
  }
  const std::string text = std::string(1, mark) + std::to_string(micro_batch);
  for (int c = from; c < to; ++c) row[static_cast<size_t>(c)] = mark;
  if (static_cast<int>(text.size()) <= to - from)
    std::copy(text.begin(), text.end(), row.begin() + from);
}

// Shortest positive instruction duration, in seconds; 0 when there is none.
double shortest(const ScheduleRun& run) {
  double best = 0;
  for (const RankRun& r : run.per_rank)
    for (const TimelineEntry& e : r.timeline) {
      const double d = seconds(e.end - e.start);
      if (d > 0 && (best == 0 || d < best)) best = d;
    }
  return best;
}

}  // namespace

std::string render_schedule(const ScheduleRun& run, int max_width) {
  MOESIM_CHECK(max_width >= 1, "render_schedule needs a positive width");
  const double makespan = seconds(run.makespan);
  double unit = shortest(run);
  if (unit == 0) unit = 1;
  if (makespan / unit > max_width) unit = makespan / max_width;
  const int width = std::min(max_width, static_cast<int>(std::ceil(makespan / unit - 1e-9)));
  auto cell = [&](Seconds t) {
    return std::clamp(static_cast<int>(std::lround(seconds(t) / unit)), 0, width);
  };

  std::ostringstream out;
  out << "one cell = " << unit << " s, makespan " << makespan << " s\n";
  const int digits = static_cast<int>(std::to_string(std::max(0, run.ranks - 1)).size());
  for (int r = 0; r < static_cast<int>(run.per_rank.size()); ++r) {
    std::string row(static_cast<size_t>(width), '.');
    for (const TimelineEntry& e : run.per_rank[r].timeline) {
      const int from = cell(e.start);
      const int to = cell(e.end);
      if (to <= from) continue;
      const Instruction& i = e.instruction;
      if (i.op != InstructionKind::kForwardBackward) {
        label(run, row, from, to, letter(i.op), i.chunk.micro_batch);
      } else if (to - from == 1) {
        row[static_cast<size_t>(from)] = letter(i.op);
      } else {
        const int mid = from + (to - from + 1) / 2;
        label(run, row, from, mid, 'F', i.chunk.micro_batch);
        label(run, row, mid, to, 'B', i.backward.micro_batch);
      }
    }
    std::string name = std::to_string(r);
    name.insert(0, static_cast<size_t>(digits) - name.size(), ' ');
    out << "rank " << name << " |" << row << "\n";
  }
  return out.str();
}

}  // namespace moesim
