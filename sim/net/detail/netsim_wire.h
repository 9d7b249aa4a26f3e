#pragma once
// The protocol between the simulator and its network child process
// (`moesim-netsim`, sim/net/netsim_main.cpp), which alone runs SimGrid. The
// parent spawns it fresh (child_process.h) and writes, on its fd 3:
//   the mode byte (kSessionMode or kFlowsMode), the topology (write_topology),
// then for a session: u8 SimGridModel, u32 n, n x (i32 src, i32 dst) route
// pairs, followed by the session's commands (simgrid_session.cpp); for
// flows: i32 phases, u8 split_parts, u32 n, n x WireFlow. The child answers
// on its fd 4. No SimGrid in this header.

#include <cstdint>
#include <string>

#include "sim/net/detail/pipe_io.h"
#include "sim/net/topology.h"

namespace moesim::detail {

enum class SimGridModel { kFlowsCm02, kParallelTasksL07 };

constexpr char kSessionMode = 's';
constexpr char kFlowsMode = 'f';

// Session commands, parent -> child.
constexpr char kDefine = 'D';   // u32 set, u32 n, n x WireTransfer: a transfer set
constexpr char kStart = 'S';    // u32 id, u32 set, f64 scale: starts a defined set as activity id,
                                // its bytes times scale (parallel tasks only; flows: 1)
constexpr char kAdvance = 'A';  // u8 has_limit, f64 limit
// Replies, child -> parent: kOk then the reply; or kError then text.
constexpr char kOk = '0';
constexpr char kError = '1';

struct WireTransfer {
  int32_t src, dst;
  double bytes, delay, tail;
  int32_t relay;
  int32_t unused;
};

struct WireFlow {
  int32_t src, dst, phase, unused;
  double bytes, delay_s;
};

// The topology as bytes, and back: every member, so the child's routes are
// the parent's exactly (Topology::write_to / read_from).
void write_topology(Message& m, const Topology& topo);
// Throws std::runtime_error on a truncated or malformed stream.
Topology read_topology(int fd);

// The latency of the route from src to dst: the sum over its links.
double route_latency_s(const Topology& topo, int src, int dst);

}  // namespace moesim::detail
