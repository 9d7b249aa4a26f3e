#pragma once
// Flows simulated on SimGrid (Debian's libsimgrid 3.32), in the network child.
//
// SimGrid keeps one engine per process, whose clock only moves forward and
// whose platform cannot be torn down. So that every simulation starts from a
// clean engine at t = 0 (exactly reproducible, whatever ran before in this
// process) each call spawns a child process (moesim-netsim, child_process.h)
// that builds the engine and the platform, runs the flows and sends the
// completion times back through a pipe. The parent never initialises
// SimGrid. Cost: milliseconds per call for spawn, engine start and platform
// (tests/net/network_test.cpp's SimulationRunsInAFreshProcess), small beside
// any collective worth simulating. The alternative, one engine per process
// with a platform per cluster, would start every run at a later clock and so
// change the last bits of the results from one run to the next.
//
// Scale: each phase is split into parts that share no link direction and the
// parts run one after the other, each from its own base time. Max-min sharing
// decomposes over such parts, so the times are those of one joint run (to
// 4e-14 relative, tests/net/scale_test.cpp), while SimGrid 3.32, whose
// one-sided comms cost O(F^2) in the comms held at once, only ever holds the
// largest part's: all EP64 groups of 16,384 GPUs (688k flows) run in 6 s.
// Numerical precision: maxmin/precision 1e-9 and surf/precision 1e-12 (the
// defaults, 1e-5, let a flow's rate depend on unrelated flows at 1e-5).
//
// Network model: CM02, no cross-traffic, no TCP-gamma window bound
// (shared/notes/build-and-simgrid.md §4), and links without latency so that
// sharing is plain max-min (CM02 otherwise favours short-latency routes); a
// flow's finish time is its fluid finish plus its route's latency, which
// occupies no bandwidth. Routes: a star zone
// whose default route is Topology::up(src) + Topology::down(dst), with a
// bypass route for every pair of the flow set whose path differs.
//
// Thread safety: callable from several threads; each call spawns its own child.

#include <vector>

#include "sim/net/topology.h"

namespace moesim::detail {

struct SimFlow {
  int src = 0;
  int dst = 0;         // != src
  double bytes = 0;    // >= 0
  int phase = 0;       // in [0, num_phases)
  double delay_s = 0;  // >= 0: starts this long after its phase started
};

struct SimOutcome {
  std::vector<double> finish_s;     // per flow, in the order given
  std::vector<double> phase_end_s;  // when the last flow of each phase finished
};

// Flows of phase k start when every flow of phase k-1 has finished (phase 0 at
// t = 0), each `delay_s` after that. Throws std::runtime_error when SimGrid
// fails.
// Each phase is simulated as parts that share no link (see the .cpp); with
// `split_parts` false, as one joint run instead, which must give the same
// times (the test of that split) but costs O(F^2) in SimGrid 3.32.
SimOutcome simulate_flows(const Topology& topology, const std::vector<SimFlow>& flows,
                          int num_phases, bool split_parts = true);

}  // namespace moesim::detail
