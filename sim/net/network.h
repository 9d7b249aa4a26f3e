#pragma once
// The network as the rest of the simulator sees it: flows between GPUs in,
// completion times out. No SimGrid type appears here; the SimGrid backend is
// behind make_network() (sim/net/detail/simgrid_adapter.h).
//
// GPU ids are 0..N-1 of the ClusterSpec: node = id / gpus_per_node, local
// index = id % gpus_per_node. Flows that run together share links by max-min
// fairness (flow-level model); a flow's time is its path's latency plus its
// bytes at the rate it gets. Deterministic: the same flows give the same
// results, bit for bit, whatever ran before in the process.

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "sim/core/units.h"
#include "sim/engine/network_backend.h"
#include "sim/hw/cluster_spec.h"
#include "sim/net/topology.h"

namespace moesim {

struct Flow {
  int src = 0;
  int dst = 0;  // src == dst completes at once, without the network
  Bytes bytes;
  uint64_t tag = 0;           // the caller's, returned with the result
  Seconds delay = Seconds();  // starts this long after its phase (a pipeline's fill)
};

struct FlowResult {
  uint64_t tag = 0;
  Seconds start;  // when its phase started, plus its delay
  Seconds finish;
};

struct NetworkRun {
  std::vector<FlowResult> flows;   // in the order given, phases concatenated
  std::vector<Seconds> phase_end;  // when each phase's last flow finished
  Seconds makespan() const { return phase_end.empty() ? Seconds() : phase_end.back(); }
};

class NetworkSimulator {
 public:
  virtual ~NetworkSimulator() = default;
  // Flows of phases[k] start when every flow of phases[k-1] has finished (those
  // of phases[0] at t = 0), each Flow::delay after that. An empty phase takes
  // no time.
  virtual NetworkRun run_phases(const std::vector<std::vector<Flow>>& phases) const = 0;
  virtual const Topology& topology() const = 0;

  // All flows start at t = 0.
  std::vector<FlowResult> run(const std::vector<Flow>& flows) const {
    return run_phases({flows}).flows;
  }
};

// Every problem that keeps `c` from being simulated: validate(c) and
// topology_problems(c), as Diagnostics under JSON path /cluster.
class Diagnostics;
Diagnostics network_problems(const ClusterSpec& c);

// The SimGrid flow-level network of `c`. Throws InputError with
// network_problems(c) when it is not empty.
std::unique_ptr<NetworkSimulator> make_network(const ClusterSpec& c);
// The same with a communication kernel's copy engines on every route
// (Topology, KernelEngines).
std::unique_ptr<NetworkSimulator> make_network(const ClusterSpec& c, const KernelEngines& engines);

// Which model a one-shot run of a collective uses: the fast closed form of
// max_min_fluid.h (make_fast_network), or SimGrid per flow (make_network), the
// reference it is checked against.
enum class NetworkModel { kFast, kPerFlow };
const char* to_string(NetworkModel m);  // "fast", "per-flow"

// The network as the discrete-event engine's backend (sim/engine): a SimGrid
// engine kept alive for one engine run, in a child process
// (detail/simgrid_session.h), so that activities started while others run
// share links with them. Granularity:
//  - kFlows: every transfer is its own flow, max-min fair per flow (CM02),
//    with its delay and tail: exact for the flow-level model, the reference;
//  - kCollectives: every activity is one SimGrid parallel task whose flows
//    advance together at the pace of its most loaded link, activities sharing
//    links by max-min (ptask_L07); ends at that + the largest delay + latency +
//    tail of its transfers. One SimGrid activity per collective instead of one
//    per flow: what makes a full training step affordable. How far it is from
//    kFlows is measured (tests/net/session_test.cpp, docs/network.md).
//    With `lone_closed_form` (the default), an activity that shares no link
//    with another while it moves bytes is timed in closed form, its bottleneck
//    link's, and only activities that meet go to SimGrid: the same results
//    (detail/lone_collectives.h), at a fraction of the cost.
enum class NetworkGranularity { kFlows, kCollectives };
const char* to_string(NetworkGranularity g);  // "flows", "collectives"

// `pairs`: every (src, dst) the activities may use (routes are built for
// them up front; start() with another pair that needs its own route is a
// bug). Throws InputError with network_problems(c) when it is not empty, and
// std::runtime_error when the child process cannot be started.
std::unique_ptr<NetworkBackend> make_network_backend(const ClusterSpec& c,
                                                     const KernelEngines& engines,
                                                     std::vector<std::pair<int, int>> pairs,
                                                     NetworkGranularity granularity,
                                                     bool lone_closed_form = true);

// How many of the activities that `net` (from make_network_backend) has
// started ran in SimGrid: all of them, unless lone ones ran in closed form.
size_t activities_in_simgrid(const NetworkBackend& net, size_t started);

}  // namespace moesim
