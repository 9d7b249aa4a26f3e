#pragma once
// The stepwise SimGrid network: one SimGrid engine kept alive across calls in
// a child process, driven through pipes (the parent never initialises
// SimGrid; a fresh child per session starts at t = 0, so every run is exactly
// reproducible whatever ran before in the process). Implements the engine's
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
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/engine/network_backend.h"
#include "sim/net/detail/simgrid_platform.h"
#include "sim/net/topology.h"

namespace moesim::detail {

class SimGridSession : public NetworkBackend {
 public:
  // Forks the child, which builds the platform of `topo` with routes for
  // `pairs` (the only pairs start() may use). Throws std::runtime_error when
  // the child cannot be started.
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

 private:
  [[noreturn]] void fail(const std::string& why);
  void flush();

  Topology topo_;
  SimGridModel model_;
  std::vector<std::pair<int, int>> own_route_pairs_;  // sorted: pairs with bypass routes
  int to_child_ = -1;
  int from_child_ = -1;
  int pid_ = -1;
  size_t running_ = 0;
  Seconds now_;
  std::string pending_;  // commands not yet written
  std::vector<std::vector<NetworkTransfer>> sets_;  // defined transfer sets, by id
  std::unordered_map<uint64_t, std::vector<uint32_t>> sets_by_hash_;
};

}  // namespace moesim::detail
