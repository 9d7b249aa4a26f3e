#pragma once
// Exact aggregation for the collectives granularity: a parallel task that
// shares no link with any other activity runs at one constant rate, its most
// loaded link's (ptask_L07 with nothing else on its links), so its end is
// known when it starts: start + max over its links of (bytes on the link /
// bandwidth) + its largest delay + latency + tail. This backend computes
// those ends itself and hands SimGrid only the activities that meet another
// on a link while they move bytes: when a new activity would share a link
// with a lone one, the lone one moves into SimGrid with the bytes it has left
// (the fraction of its bandwidth time still ahead), and both run there from
// that instant, as they would have had SimGrid held them from the start.
//
// Why: in a training step most EP calls run alone on their group's links
// (a rank's calls are serialised on its communication stream, other ranks'
// groups sit on other nodes); only pipeline sends overlap them. SimGrid's
// per-task cost (routes, lmm elements, solves over everything coupled) is
// then paid only where contention is. Checked against the plain session,
// activity by activity and on des steps (tests/net/lone_collectives_test.cpp,
// tests/step/des_step_test.cpp).
//
// An activity in SimGrid keeps its links until it completes (its tail
// included): a conservative choice that only sends more activities to SimGrid.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "sim/engine/network_backend.h"
#include "sim/net/detail/simgrid_session.h"
#include "sim/net/topology.h"

namespace moesim::detail {

class LoneCollectives : public NetworkBackend {
 public:
  // `session` must use SimGridModel::kParallelTasksL07 on `topo`.
  LoneCollectives(const Topology& topo, std::unique_ptr<SimGridSession> session);

  void start(ActivityId id, const std::vector<NetworkTransfer>& flows, Seconds now) override;
  bool busy() const override { return !lone_.empty() || session_busy_ > 0; }
  NetworkStep advance(std::optional<Seconds> limit) override;

  // Activities that ran in closed form from start to end, and those SimGrid
  // simulated (for tests and the report).
  size_t lone_count() const { return lone_done_; }
  size_t simgrid_count() const { return simgrid_started_; }

 private:
  // A transfer set's footprint, computed once per distinct content.
  struct Footprint {
    std::vector<int> hops;  // link * 2 + (up ? 1 : 0), sorted, distinct
    double bw_time = 0;     // seconds at the most loaded link's bandwidth, alone
    double extra = 0;       // largest delay + route latency + tail
  };
  struct Entry {
    std::vector<NetworkTransfer> flows;
    Footprint fp;
  };
  struct Lone {
    const Entry* set = nullptr;
    double bw_end = 0, end = 0;
  };

  const Entry& entry(const std::vector<NetworkTransfer>& flows);
  void to_session(uint32_t id, const Entry& set, double remaining, double now);

  Topology topo_;
  std::unique_ptr<SimGridSession> session_;
  double session_now_ = 0;
  size_t session_busy_ = 0;
  double now_ = 0;

  std::unordered_map<uint64_t, std::vector<std::unique_ptr<Entry>>> sets_;  // by content hash
  std::map<uint32_t, Lone> lone_;                    // running in closed form
  std::set<std::pair<double, uint32_t>> lone_ends_;  // (end, id)
  std::map<uint32_t, const Entry*> in_session_;
  // Per hop: the lone activity on it (its id and bandwidth end), and how many
  // SimGrid activities hold it.
  std::vector<std::pair<uint32_t, double>> lone_on_hop_;
  std::vector<int> session_on_hop_;
  size_t lone_done_ = 0, simgrid_started_ = 0;
};

}  // namespace moesim::detail
