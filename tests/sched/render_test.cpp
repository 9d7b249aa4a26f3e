// The text picture of a run: one row per rank, one cell per shortest
// instruction, letters with micro-batch numbers where they fit, '.' idle.
#include "sim/sched/render.h"

#include <gtest/gtest.h>

#include <sstream>

#include "sim/sched/generators.h"
#include "tests/sched/sched_support.h"

namespace moesim {
namespace {

using test::costs;

std::string picture(ScheduleKind k, int pp, int n, const ChunkCosts& c, int width = 200) {
  return render_schedule(simulate(make_schedule(k, pp, n), c), width);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Render, HeaderExampleOneFOneBOnTwoRanks) {
  // Full backward = 2 cells, room for its number; a 1-cell F has none.
  EXPECT_EQ(picture(ScheduleKind::k1F1B, 2, 2, costs(1, 1, 1)),
            "one cell = 1 s, makespan 9 s\n"
            "rank 0 |FF..B0.B1\n"
            "rank 1 |.FB0FB1..\n");
}

TEST(Render, Zb1pOnFourRanks) {
  // F = B = 2, W = 1: the first rank waits (pp-1) B = 6 cells for its first
  // backward, then W fills all but F - W = 1 cell of each drain gap; the last
  // rank runs its 3 deferred W's at the end. 9 idle cells per row = 3 (F + B - W).
  const std::string expected =
      "one cell = 1 s, makespan 29 s\n"
      "rank 0 |F0F1F2F3......B0W.B1W.B2W.B3W\n"
      "rank 1 |..F0F1F2....B0F3B1W.B2W.B3WW.\n"
      "rank 2 |....F0F1..B0F2B1F3B2W.B3WWW..\n"
      "rank 3 |......F0B0F1B1F2B2F3B3WWWW...\n";
  EXPECT_EQ(picture(ScheduleKind::kZb1p, 4, 4, costs(2, 2, 1)), expected);
}

TEST(Render, DualPipeOnFourRanksDrawsTheReverseDirectionInLowerCase) {
  // F = B = 2, W = 1, F&B = 4: each overlapped pair is "F3b1" (forward of
  // micro-batch 3, backward of reverse micro-batch 1); 4 idle cells per rank,
  // the table's (PP/2 - 1)(F&B + B - 3W) with B = 3.
  const std::string expected =
      "one cell = 1 s, makespan 41 s\n"
      "rank 0 |F0F1F2f0b0wf1F3b1..f2B0b2b.f3B1b3bB2W.B3W\n"
      "rank 1 |..F0f0F1f1F2b0bf2B0F3b1f3B1b2bB2B.b3B3wW.\n"
      "rank 2 |..f0F0f1F1f2B0BF2b0f3B1F3b1B2Bb2b.B3b3Ww.\n"
      "rank 3 |f0f1f2F0B0WF1f3B1..F2b0B2B.F3b1B3Bb2w.b3w\n";
  EXPECT_EQ(picture(ScheduleKind::kDualPipe, 4, 8, costs(2, 2, 1, 4)), expected);
}

TEST(Render, WidensTheCellToFitTheWidth) {
  const auto rows = lines(picture(ScheduleKind::kDualPipe, 8, 20, costs(2, 2, 1, 4), 60));
  ASSERT_EQ(rows.size(), 9u);
  EXPECT_EQ(rows[0].rfind("one cell = 1.68", 0), 0u) << rows[0];  // 101 s / 60 cells
  for (size_t r = 1; r < rows.size(); ++r)
    EXPECT_EQ(rows[r].size(), std::string("rank 0 |").size() + 60) << rows[r];
}

TEST(Render, PadsRankNumbersToOneWidth) {
  const auto rows = lines(picture(ScheduleKind::k1F1B, 16, 16, costs(1, 1, 1), 40));
  EXPECT_EQ(rows[1].rfind("rank  0 |", 0), 0u) << rows[1];
  EXPECT_EQ(rows[16].rfind("rank 15 |", 0), 0u) << rows[16];
}

}  // namespace
}  // namespace moesim
