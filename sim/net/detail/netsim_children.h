#pragma once
// The two modes of the network child process (moesim-netsim), each serving
// one spawn: `in` is fd 3 (from the parent), `out` fd 4. Both throw
// std::runtime_error on a malformed request; the caller reports it to the
// parent. Linked into moesim-netsim only: the simulator never runs SimGrid.

#include "sim/net/detail/netsim_wire.h"

namespace moesim::detail {

// A stepwise session (simgrid_session.h): the header's model and route
// pairs, then commands until the parent closes the pipe.
int serve_session(const Topology& topo, int in, int out);
// One simulation of flows in phases (simgrid_adapter.h).
int serve_flows(const Topology& topo, int in, int out);

}  // namespace moesim::detail
