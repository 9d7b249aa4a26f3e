// The network child process (issue 19 part 1): spawned, not forked, so a
// multi-threaded simulator never hands it a held lock; a child that dies or
// stalls mid-run is a clear error, never a hang; the topology crosses the
// pipe exactly.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <functional>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "sim/net/detail/child_process.h"
#include "sim/net/detail/simgrid_session.h"
#include "tests/net/net_support.h"

namespace moesim {
namespace {

using detail::ChildProcess;
using detail::SimGridModel;
using detail::SimGridSession;
using testing::probe_cluster;

// An environment variable set for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_.empty())
      ::unsetenv(name_);
    else
      ::setenv(name_, old_.c_str(), 1);
  }

 private:
  const char* name_;
  std::string old_;
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(NetworkChild, TheTopologyCrossesThePipeExactly) {
  for (FabricKind k : {FabricKind::kFatTree, FabricKind::kRailOptimized,
                       FabricKind::kMultiPlaneFatTree}) {
    const Topology t(probe_cluster(4, k));
    const Topology back = Topology::from_bytes(t.to_bytes());
    EXPECT_EQ(back.to_bytes(), t.to_bytes());
    ASSERT_EQ(back.num_gpus(), t.num_gpus());
    for (int s = 0; s < t.num_gpus(); ++s)
      for (int d = 0; d < t.num_gpus(); ++d)
        if (s != d) {
          EXPECT_EQ(back.route(s, d), t.route(s, d));
        }
  }
  std::string bytes = Topology(probe_cluster(2, FabricKind::kFatTree)).to_bytes();
  bytes.pop_back();
  EXPECT_THROW(Topology::from_bytes(bytes), std::runtime_error);
}

TEST(NetworkChild, AChildKilledMidRunIsAnErrorThatSaysSo) {
  const Topology t(probe_cluster(1, FabricKind::kFatTree));
  SimGridSession s(t, {{0, 1}}, SimGridModel::kFlowsCm02);
  s.start(ActivityId{1}, {NetworkTransfer(0, 1, MB(40))}, Seconds());
  const NetworkStep first = s.advance(SecondsOf(1e-6));  // the child runs
  EXPECT_TRUE(first.completed.empty());
  ASSERT_GT(s.child_pid(), 0);
  ::kill(s.child_pid(), SIGKILL);
  const std::string e = error_of([&] { s.advance(std::nullopt); });
  EXPECT_NE(e.find("network simulation child process"), std::string::npos) << e;
  EXPECT_NE(e.find("killed by signal 9"), std::string::npos) << e;
}

TEST(NetworkChild, AStalledChildIsStoppedAfterTheReplyTimeout) {
  const ScopedEnv timeout("MOESIM_NETSIM_TIMEOUT_S", "1");
  const Topology t(probe_cluster(1, FabricKind::kFatTree));
  SimGridSession s(t, {{0, 1}}, SimGridModel::kFlowsCm02);
  s.start(ActivityId{1}, {NetworkTransfer(0, 1, MB(40))}, Seconds());
  s.advance(SecondsOf(1e-6));
  ::kill(s.child_pid(), SIGSTOP);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string e = error_of([&] { s.advance(std::nullopt); });
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_NE(e.find("sent nothing for 1 s"), std::string::npos) << e;
  EXPECT_NE(e.find("killed by signal 9"), std::string::npos) << e;
  EXPECT_LT(waited, 30.0);  // bounded: the timeout, then the kill
}

TEST(NetworkChild, AMissingHelperIsNamed) {
  const ScopedEnv where("MOESIM_NETSIM", "/nonexistent/moesim-netsim");
  const std::string e = error_of([] { ChildProcess c; });
  EXPECT_NE(e.find("cannot find the network simulator helper moesim-netsim"), std::string::npos)
      << e;
  EXPECT_NE(e.find("/nonexistent/moesim-netsim ($MOESIM_NETSIM)"), std::string::npos) << e;
}

TEST(NetworkChild, TheHelperSaysWhatItIsWhenRunByHand) {
  // No request on fd 3: it explains itself and exits 2 rather than hang.
  const std::string exe = ChildProcess::binary();
  ASSERT_FALSE(exe.empty());
  const int rc = std::system((exe + " 3</dev/null 2>/dev/null").c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 2) << rc;
}

}  // namespace
}  // namespace moesim
