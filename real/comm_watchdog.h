#pragma once
// Never hang on a collective: every wait on NCCL (communicator init, a group of
// sends and receives, a reduce-scatter) polls the work and the communicator's
// asynchronous error until a deadline. The state machine here is pure, driven by
// injected clock, poll and pause functions, so tests/real/ runs it without a GPU;
// real/nccl_comm.cpp plugs in cudaStreamQuery, ncclCommGetAsyncError and
// ncclCommAbort.

#include <functional>
#include <string>

namespace moesim::real {

enum class WaitOutcome { kDone, kFailed, kTimedOut };

struct PollResult {
  bool done = false;   // the awaited work has completed
  std::string error;   // non-empty: the communicator (or stream) reported this failure
};

struct WaitResult {
  WaitOutcome outcome = WaitOutcome::kDone;
  std::string error;    // the failure, for kFailed
  double waited_s = 0;  // from the first poll to the decision
};

struct WaitHooks {
  std::function<PollResult()> poll;
  std::function<double()> now_s;  // a monotonic clock, seconds
  std::function<void()> pause;    // between polls (sleep or yield)
};

// Polls until done, failed or `timeout_s` passed since the first poll. A failure wins
// over completion seen in the same poll (the result would be unreliable).
// REQUIRES: timeout_s > 0; every hook set.
WaitResult wait_with_deadline(const WaitHooks& hooks, double timeout_s);

// "timed out after 300 s waiting for EP dispatch (rank 3 of 16)" and the like.
std::string describe(const WaitResult& r, const std::string& what, double timeout_s);

}  // namespace moesim::real
