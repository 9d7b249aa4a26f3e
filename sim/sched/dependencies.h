#pragma once
// The data dependencies of schedule instructions, shared by the unit-cost
// executor (executor.cpp) and by anything that turns a schedule into other
// task graphs (sim/step): a piece of work is the F, B (input gradient) or W
// (weight gradient) of one chunk (micro-batch, model stage).
//  - F(m, s) needs F(m, s-1);
//  - B(m, s) needs F(m, s) and B(m, s+1);
//  - W(m, s) needs B(m, s);
//  - the optimizer step needs every W of the rank's stages.
// Stages are model stages, so DualPipe's reverse direction needs no special case.

#include <vector>

#include "sim/sched/schedule.h"

namespace moesim {

enum class WorkPiece { kForward, kBackwardInput, kBackwardWeight };

struct WorkRef {
  WorkPiece work;
  Chunk chunk;
};

// What instruction `i` on `rank` waits for (cleared first).
void instruction_inputs(const Instruction& i, int rank, const Schedule& s,
                        std::vector<WorkRef>& out);
// What it completes (cleared first).
void instruction_outputs(const Instruction& i, std::vector<WorkRef>& out);

}  // namespace moesim
