#include "sim/cost/phase_time.h"

#include <gtest/gtest.h>

namespace moesim {

TEST(PhaseTime, NoRampIsStepsTimesStep) {
  TrainingPhase p;
  p.tokens = 1e9;
  p.seq_len = 1000;
  p.batch.sequences = 1000;
  PhaseTime t = phase_time(p, SecondsOf(0.1), SecondsOf(1.0), 10);
  EXPECT_DOUBLE_EQ(t.steps, 1000.0);
  // step = 0.1 x 100 micro-batches + 1 = 11 s.
  EXPECT_NEAR(seconds(t.wall_time), 11000.0, 1e-6);
}

TEST(PhaseTime, RampIntegralMatchesAStepByStepSum) {
  TrainingPhase p;
  p.tokens = 2e9;
  p.seq_len = 100;
  p.batch.sequences = 6000;
  p.batch.ramp_from = 1000;
  p.batch.ramp_tokens = 1e9;
  const Seconds a = SecondsOf(0.01), b = SecondsOf(2.0);
  const int g = 10;
  PhaseTime t = phase_time(p, a, b, g);
  // Walk the ramp one step at a time.
  double tok = 0, steps = 0, wall = 0;
  while (tok < p.batch.ramp_tokens) {
    const double batch = p.batch.ramp_from + (p.batch.sequences - p.batch.ramp_from) * tok /
                                                 p.batch.ramp_tokens;
    wall += seconds(a) * batch / g + seconds(b);
    tok += batch * p.seq_len;
    steps += 1;
  }
  const double rest = (p.tokens - tok) / (p.seq_len * p.batch.sequences);
  steps += rest;
  wall += rest * (seconds(a) * p.batch.sequences / g + seconds(b));
  EXPECT_NEAR(t.steps, steps, 0.002 * steps);
  EXPECT_NEAR(seconds(t.wall_time), wall, 0.002 * wall);
}

TEST(PhaseTime, StepsGivenDeriveTokens) {
  TrainingPhase p;
  p.steps = 1000;
  p.seq_len = 32768;
  p.batch.sequences = 1920;
  PhaseTime t = phase_time(p, SecondsOf(0.1), SecondsOf(0.0), 1920);
  EXPECT_DOUBLE_EQ(t.tokens, 1000.0 * 32768 * 1920);  // V3TR §4.3: ~62.9B
  EXPECT_NEAR(seconds(t.wall_time), 100.0, 1e-9);
}

}  // namespace moesim
