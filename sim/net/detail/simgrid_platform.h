#pragma once
// SimGrid's engine and the platform of a Topology, shared by the network
// child's two modes (simgrid_flows_child.cpp, simgrid_session_child.cpp).
// Only moesim-netsim includes this.
//
// Network model (shared/notes/build-and-simgrid.md §4): CM02 max-min sharing
// per flow, no cross-traffic, no TCP-gamma window bound, precision 1e-9 /
// 1e-12 (the defaults, 1e-5, let a flow's rate depend on unrelated flows at
// 1e-5); or, for one activity per collective, SimGrid's parallel-task model
// (ptask_L07), in which a collective's flows advance together at the rate of
// its most loaded link and collectives share links by max-min. Links have no
// latency in SimGrid (CM02 would otherwise share by route latency, TCP's RTT
// unfairness); callers add route_latency_s() to finish times.

#include <memory>
#include <utility>
#include <vector>

#include <simgrid/s4u.hpp>

#include "sim/net/detail/netsim_wire.h"
#include "sim/net/topology.h"

namespace moesim::detail {

struct SimGridPlatform {
  std::unique_ptr<simgrid::s4u::Engine> engine;
  std::vector<simgrid::s4u::Host*> hosts;  // per GPU
  std::vector<simgrid::s4u::Link*> links;  // per TopologyLink
};

// Starts SimGrid's engine (once per process) and builds `topo` as a star zone
// whose default route is up(src) + down(dst), with a bypass route for every
// pair in `pairs` that needs its own (Topology::needs_own_route); flows
// between other pairs that need one must not be started.
SimGridPlatform build_platform(const Topology& topo, std::vector<std::pair<int, int>> pairs,
                               SimGridModel model);

}  // namespace moesim::detail
