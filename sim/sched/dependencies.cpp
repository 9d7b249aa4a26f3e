#include "sim/sched/dependencies.h"

namespace moesim {

namespace {

void forward_inputs(Chunk c, std::vector<WorkRef>& out) {
  if (c.stage > 0) out.push_back({WorkPiece::kForward, {c.micro_batch, c.stage - 1}});
}

void backward_inputs(Chunk c, int stages, std::vector<WorkRef>& out) {
  out.push_back({WorkPiece::kForward, c});
  if (c.stage + 1 < stages) out.push_back({WorkPiece::kBackwardInput, {c.micro_batch, c.stage + 1}});
}

}  // namespace

void instruction_inputs(const Instruction& i, int rank, const Schedule& s,
                        std::vector<WorkRef>& out) {
  out.clear();
  switch (i.op) {
    case InstructionKind::kForward:
      forward_inputs(i.chunk, out);
      break;
    case InstructionKind::kBackwardInput:
    case InstructionKind::kBackwardFull:
      backward_inputs(i.chunk, s.stages, out);
      break;
    case InstructionKind::kBackwardWeight:
      out.push_back({WorkPiece::kBackwardInput, i.chunk});
      break;
    case InstructionKind::kForwardBackward:
      forward_inputs(i.chunk, out);
      backward_inputs(i.backward, s.stages, out);
      break;
    case InstructionKind::kOptimizerStep:
      for (int stage : s.rank_stages[static_cast<size_t>(rank)])
        for (int m = 0; m < s.micro_batches; ++m)
          out.push_back({WorkPiece::kBackwardWeight, {m, stage}});
      break;
  }
}

void instruction_outputs(const Instruction& i, std::vector<WorkRef>& out) {
  out.clear();
  switch (i.op) {
    case InstructionKind::kForward:
      out.push_back({WorkPiece::kForward, i.chunk});
      break;
    case InstructionKind::kBackwardInput:
      out.push_back({WorkPiece::kBackwardInput, i.chunk});
      break;
    case InstructionKind::kBackwardWeight:
      out.push_back({WorkPiece::kBackwardWeight, i.chunk});
      break;
    case InstructionKind::kBackwardFull:
      out.push_back({WorkPiece::kBackwardInput, i.chunk});
      out.push_back({WorkPiece::kBackwardWeight, i.chunk});
      break;
    case InstructionKind::kForwardBackward:
      out.push_back({WorkPiece::kForward, i.chunk});
      out.push_back({WorkPiece::kBackwardInput, i.backward});
      out.push_back({WorkPiece::kBackwardWeight, i.backward});
      break;
    case InstructionKind::kOptimizerStep:
      break;
  }
}

}  // namespace moesim
