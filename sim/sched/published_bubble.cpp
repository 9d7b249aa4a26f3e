#include "sim/sched/published_bubble.h"

namespace moesim {

Seconds published_bubble(ScheduleKind kind, int n, const ChunkCosts& c) {
  const Seconds f = c.forward, w = c.backward_weight;
  const Seconds b = c.backward_input + w;  // the table's B
  const Seconds fb = c.duration(InstructionKind::kForwardBackward);
  switch (kind) {
    case ScheduleKind::k1F1B:
    case ScheduleKind::kInterleaved1F1B:
      return (f + b) * (n - 1);
    case ScheduleKind::kZb1p:
      return (f + b - w * 2.0) * (n - 1);
    case ScheduleKind::kDualPipe:
    case ScheduleKind::kDualPipeV:
      return (fb + b - w * 3.0) * (n / 2 - 1);
  }
  return Seconds();
}

}  // namespace moesim
