#include "sim/net/detail/simgrid_adapter.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "sim/core/check.h"
#include "sim/net/detail/child_process.h"
#include "sim/net/detail/netsim_wire.h"
#include "sim/net/detail/pipe_io.h"

namespace moesim::detail {

SimOutcome simulate_flows(const Topology& topology, const std::vector<SimFlow>& flows,
                          int num_phases, bool split_parts) {
  MOESIM_CHECK(num_phases >= 1, "at least one phase");
  for (const SimFlow& f : flows)
    MOESIM_CHECK(f.phase >= 0 && f.phase < num_phases && f.src != f.dst && f.bytes >= 0 &&
                     f.delay_s >= 0 && f.src >= 0 && f.dst >= 0 && f.src < topology.num_gpus() &&
                     f.dst < topology.num_gpus(),
                 "malformed flow");
  ChildProcess child;
  Message m;
  m.put(kFlowsMode);
  write_topology(m, topology);
  m.put(static_cast<int32_t>(num_phases))
      .put(static_cast<uint8_t>(split_parts ? 1 : 0))
      .put(static_cast<uint32_t>(flows.size()));
  for (const SimFlow& f : flows) m.put(WireFlow{f.src, f.dst, f.phase, 0, f.bytes, f.delay_s});
  child.write(m.bytes());
  const std::string msg = child.read_to_end();
  if (msg.empty()) child.failure("ended without a result");
  if (msg[0] != kOk) child.failure("reported: " + msg.substr(1, 4096));
  const size_t n = flows.size() + num_phases;
  if (msg.size() != 1 + n * sizeof(double)) child.failure("sent a truncated result");
  std::vector<double> out(n);
  std::memcpy(out.data(), msg.data() + 1, n * sizeof(double));
  SimOutcome r;
  r.finish_s.assign(out.begin(), out.begin() + flows.size());
  r.phase_end_s.assign(out.begin() + flows.size(), out.end());
  return r;
}

}  // namespace moesim::detail
