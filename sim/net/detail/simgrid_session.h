#pragma once
// The stepwise SimGrid network: one SimGrid engine kept alive across calls in
// a child process (moesim-netsim, spawned fresh: child_process.h), driven
// through pipes (the parent never initialises SimGrid; a fresh child per
// session starts at t = 0, so every run is exactly reproducible whatever ran
// before in the process). Implements the engine's
// NetworkBackend protocol (sim/engine/network_backend.h): start() sends the
// flows; advance(limit) lets the child's driver actor wait on the running
// SimGrid activities until `limit` or until an activity's last flow has
// arrived, whichever is first.
//
// In the child, per transfer (kFlowsCm02): one one-sided comm started `delay`
// after its activity, arriving at its SimGrid finish + route latency + tail
// (with a relay: NetworkTransfer's rule).
// Per activity (kParallelTasksL07): one parallel task holding every remote
// transfer's bytes, completing at its finish + the largest (delay + route
// latency + tail) of its transfers.
//
// Cost: a pipe round trip per advance() (~10-30 us), plus SimGrid's own;
// in 3.32 one-sided comms cost O(F) per completion in the F comms held at
// once (shared/notes/build-and-simgrid.md §4).

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/engine/network_backend.h"
#include "sim/net/detail/child_process.h"
#include "sim/net/detail/netsim_wire.h"
#include "sim/net/topology.h"

namespace moesim::detail {

class SimGridSession : public NetworkBackend {
 public:
  // Spawns the child (child_process.h), which builds the platform of `topo`
  // with routes for `pairs` (the only pairs start() may use). Throws
  // std::runtime_error when the child cannot be started; every later call
  // throws one naming how the child ended if it dies or stalls.
  SimGridSession(const Topology& topo, std::vector<std::pair<int, int>> pairs,
                 SimGridModel model);
  ~SimGridSession() override;
  SimGridSession(const SimGridSession&) = delete;
  SimGridSession& operator=(const SimGridSession&) = delete;

  void start(ActivityId id, const std::vector<NetworkTransfer>& flows, Seconds now) override;
  // The same with `part` of every transfer's bytes, 0 < part <= 1: an
  // activity that ran elsewhere until now (parallel tasks only; delays and
  // tails are still added in full at its end).
  void start_part(ActivityId id, const std::vector<NetworkTransfer>& flows, Seconds now,
                  double part);
  const Topology& topology() const { return topo_; }
  bool busy() const override { return running_ > 0; }
  NetworkStep advance(std::optional<Seconds> limit) override;
  // The child's process id (tests kill it mid-run).
  int child_pid() const;

 private:
  [[noreturn]] void fail(const std::string& why);
  void flush();

  Topology topo_;
  SimGridModel model_;
  std::vector<std::pair<int, int>> own_route_pairs_;  // sorted: pairs with bypass routes
  std::unique_ptr<ChildProcess> child_;
  size_t running_ = 0;
  Seconds now_;
  std::string pending_;  // commands not yet written
  std::vector<std::vector<NetworkTransfer>> sets_;  // defined transfer sets, by id
  std::unordered_map<uint64_t, std::vector<uint32_t>> sets_by_hash_;
};

}  // namespace moesim::detail
