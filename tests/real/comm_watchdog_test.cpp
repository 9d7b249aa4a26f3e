// The wait state machine on a fake clock: completion, failure and the deadline.
#include "real/comm_watchdog.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace moesim::real {
namespace {

struct FakeComm {
  double now = 0;
  double done_at = 1e300;
  double fail_at = 1e300;
  int polls = 0;
  WaitHooks hooks() {
    return WaitHooks{[this] {
                       ++polls;
                       PollResult p;
                       p.done = now >= done_at;
                       if (now >= fail_at) p.error = "ncclRemoteError: remote process exited";
                       return p;
                     },
                     [this] { return now; }, [this] { now += 0.5; }};
  }
};

TEST(CommWatchdog, DoneBeforeTheDeadline) {
  FakeComm c;
  c.done_at = 2.0;
  const WaitResult r = wait_with_deadline(c.hooks(), 10);
  EXPECT_EQ(r.outcome, WaitOutcome::kDone);
  EXPECT_DOUBLE_EQ(r.waited_s, 2.0);
}

TEST(CommWatchdog, AsyncErrorWinsOverCompletion) {
  FakeComm c;
  c.done_at = 1.0;
  c.fail_at = 1.0;
  const WaitResult r = wait_with_deadline(c.hooks(), 10);
  EXPECT_EQ(r.outcome, WaitOutcome::kFailed);
  EXPECT_NE(describe(r, "EP dispatch", 10).find("failed: ncclRemoteError"), std::string::npos);
}

TEST(CommWatchdog, APeerThatNeverComesTimesOutInsteadOfHanging) {
  FakeComm c;
  const WaitResult r = wait_with_deadline(c.hooks(), 3);
  EXPECT_EQ(r.outcome, WaitOutcome::kTimedOut);
  EXPECT_GE(r.waited_s, 3);
  EXPECT_LE(c.polls, 8);
  EXPECT_NE(describe(r, "communicator init (rank 1 of 2)", 3).find("timed out after 3 s"),
            std::string::npos);
}

TEST(CommWatchdog, MissingHooksAreABug) {
  EXPECT_THROW(wait_with_deadline(WaitHooks{}, 1), std::invalid_argument);
  FakeComm c;
  EXPECT_THROW(wait_with_deadline(c.hooks(), 0), std::invalid_argument);
}

}  // namespace
}  // namespace moesim::real
