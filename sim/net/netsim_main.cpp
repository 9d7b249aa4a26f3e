// moesim-netsim: the network child process. The simulator spawns one per
// network simulation (sim/net/detail/child_process.h) and talks to it over
// fds 3 and 4 (sim/net/detail/netsim_wire.h); it is the only program that
// runs SimGrid, so every simulation starts from a fresh engine at t = 0 and no
// lock of the simulator's threads is ever inherited. Not meant to be run by
// hand.
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "sim/net/detail/netsim_children.h"

int main() {
  using namespace moesim::detail;
  using moesim::Topology;
  std::signal(SIGPIPE, SIG_IGN);  // a parent that is gone: writes fail, we exit
  const int in = 3, out = 4;
  char mode = 0;
  if (!read_exact(in, &mode, 1)) {
    std::fprintf(stderr,
                 "moesim-netsim: the network child of moesim; it reads its request on fd 3 "
                 "and is started by the simulator, not by hand\n");
    return 2;
  }
  try {
    const Topology topo = read_topology(in);
    if (mode == kSessionMode) return serve_session(topo, in, out);
    if (mode == kFlowsMode) return serve_flows(topo, in, out);
    throw std::runtime_error(std::string("unknown mode '") + mode + "'");
  } catch (const std::exception& e) {
    Message m;
    m.put(kError);
    if (mode == kSessionMode)
      m.put_text(e.what());  // a session's error: length, then the text
    const std::string text = m.bytes() + (mode == kSessionMode ? "" : e.what());
    write_all(out, text.data(), text.size());
    return 1;
  }
}
