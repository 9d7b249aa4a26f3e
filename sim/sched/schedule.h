#pragma once
// A pipeline schedule as data: for every pipeline rank, the ordered list of
// compute instructions it runs in one training step. Generators (generators.h)
// build them; the unit-cost executor (executor.h) runs them.
//
// Vocabulary. A *chunk* is one micro-batch's pass through one pipeline stage.
// Stages are numbered along the model, 0 (embedding side) to stages-1 (the loss
// stage), whichever rank holds them: in DualPipe both directions run the model
// stages 0..PP-1, on ranks 0..PP-1 for micro-batches [0, N/2) and on ranks
// PP-1..0 for [N/2, N). A chunk is therefore named by (micro-batch, stage) alone.
//
// Communication is implicit: an instruction's inputs are the outputs of other
// instructions (see the dependency rules below); sends and receives are not
// listed and, in the unit-cost executor, take no time.
//
// Dependency rules (what "F", "B" and "W" of a chunk wait for):
//   F(m, s)  forward:           F(m, s-1)                      (none for s = 0)
//   B(m, s)  input-grad:        F(m, s) and B(m, s+1)          (only F(m, s) on the loss stage)
//   W(m, s)  weight-grad:       B(m, s)
// Instructions combine them: kBackwardFull is B and W of one chunk;
// kForwardBackward is F of one chunk overlapped with the full backward (B and W)
// of another, as DualPipe's F&B; kOptimizerStep waits for W(m, s) of every
// micro-batch m and every stage s the rank holds, on whichever rank ran it (so
// DualPipe's two parameter copies of a stage meet there, as in their gradient
// all-reduce).

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace moesim {

enum class InstructionKind : std::uint8_t {
  kForward,          // F of `chunk`
  kBackwardInput,    // B of `chunk`: input gradient only; its W runs later (zero bubble)
  kBackwardWeight,   // W of `chunk`
  kBackwardFull,     // B and W of `chunk` together
  kForwardBackward,  // F of `chunk` overlapped with B and W of `backward` (DualPipe's F&B)
  kOptimizerStep,    // the rank's parameter update, after every W of its stages
};

struct Chunk {
  int micro_batch = 0;  // 0..micro_batches-1
  int stage = 0;        // 0..stages-1, along the model
  bool operator==(const Chunk& o) const { return micro_batch == o.micro_batch && stage == o.stage; }
  bool operator!=(const Chunk& o) const { return !(*this == o); }
};

struct Instruction {
  InstructionKind op = InstructionKind::kForward;
  Chunk chunk;     // the forward of kForwardBackward; unused by kOptimizerStep
  Chunk backward;  // kForwardBackward only: the chunk whose full backward is overlapped
  // Which part of its generator emitted the instruction, for tests and rendering:
  // DualPipe/DualPipeV steps 1..8 (shared/reference/published-figures.md §8.2);
  // 1F1B, ZB1P, interleaved: 1 warm-up, 2 steady 1F1B, 3 cool-down, 4 trailing W;
  // 0 for the optimizer step.
  int step = 0;

  static Instruction forward(Chunk c, int step) { return {InstructionKind::kForward, c, {}, step}; }
  static Instruction backward_input(Chunk c, int step) {
    return {InstructionKind::kBackwardInput, c, {}, step};
  }
  static Instruction backward_weight(Chunk c, int step) {
    return {InstructionKind::kBackwardWeight, c, {}, step};
  }
  static Instruction backward_full(Chunk c, int step) {
    return {InstructionKind::kBackwardFull, c, {}, step};
  }
  static Instruction forward_backward(Chunk f, Chunk b, int step) {
    return {InstructionKind::kForwardBackward, f, b, step};
  }
  static Instruction optimizer_step() { return {InstructionKind::kOptimizerStep, {}, {}, 0}; }

  bool operator==(const Instruction& o) const;
  bool operator!=(const Instruction& o) const { return !(*this == o); }
};

struct Schedule {
  ScheduleKind kind = ScheduleKind::k1F1B;
  int ranks = 0;
  int stages = 0;  // model stages: ranks (1F1B, ZB1P, DualPipe), ranks x v, 2 x ranks (DualPipeV)
  int micro_batches = 0;
  // Model chunks per rank of interleaved 1F1B; each chunk is 1/v of a stage's
  // share of a rank, so v chunks make one stage's worth of parameters. 1 otherwise.
  int virtual_stages = 1;
  std::vector<std::vector<Instruction>> per_rank;  // [rank] -> instructions in order
  // Stages whose parameters each rank holds: 1F1B/ZB1P {r}; interleaved
  // {r, r+PP, ...}; DualPipe {r, PP-1-r}, its forward-direction and
  // reverse-direction copies (two copies of the model in all); DualPipeV {r, 2 PP-1-r}.
  std::vector<std::vector<int>> rank_stages;
};

// "F", "B", "W", "BW" (full backward), "F&B", "OPT".
const char* to_string(InstructionKind op);
// "F(m3,s1)", "F&B(m3,s1|m0,s2)", "OPT".
std::string to_string(const Instruction& i);

// Structural problems of a schedule, one sentence each; empty when every chunk
// (micro-batch, stage) has exactly one F, one B and one W (alone or inside a
// combined instruction), every instruction names a stage its rank holds and a
// micro-batch in range, an F&B does not pair a chunk's forward with a backward
// that needs it, and each rank ends with exactly one optimizer step. A generator
// that produces a problem has a bug. Says nothing about deadlock (see simulate()).
std::vector<std::string> schedule_problems(const Schedule& s);

}  // namespace moesim
