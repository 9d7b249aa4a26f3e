#include "sim/net/network.h"

#include "sim/core/check.h"
#include "sim/core/diagnostics.h"
#include "sim/net/detail/simgrid_adapter.h"
#include "sim/net/detail/lone_collectives.h"
#include "sim/net/detail/simgrid_session.h"

namespace moesim {
namespace {

class SimGridNetwork : public NetworkSimulator {
 public:
  SimGridNetwork(const ClusterSpec& c, const KernelEngines& e) : topology_(c, e) {}

  const Topology& topology() const override { return topology_; }

  NetworkRun run_phases(const std::vector<std::vector<Flow>>& phases) const override {
    std::vector<detail::SimFlow> sim;
    std::vector<int> sim_index;  // per flow, its index in `sim` or -1
    for (size_t p = 0; p < phases.size(); ++p)
      for (const Flow& f : phases[p]) {
        if (f.src == f.dst) {
          sim_index.push_back(-1);
          continue;
        }
        sim_index.push_back(static_cast<int>(sim.size()));
        MOESIM_CHECK(f.delay >= Seconds(), "a flow's delay is >= 0");
        sim.push_back({f.src, f.dst, bytes(f.bytes), static_cast<int>(p), seconds(f.delay)});
      }
    NetworkRun run;
    if (phases.empty()) return run;
    const detail::SimOutcome out =
        detail::simulate_flows(topology_, sim, static_cast<int>(phases.size()));
    size_t k = 0;
    for (size_t p = 0; p < phases.size(); ++p) {
      const Seconds start = p == 0 ? Seconds() : run.phase_end.back();
      // A phase of only local flows ends when it starts (a local flow's delay
      // holds nothing up: the child process times the phases).
      run.phase_end.push_back(max(start, SecondsOf(out.phase_end_s[p])));
      for (const Flow& f : phases[p]) {
        const int i = sim_index[k++];
        const Seconds begin = start + f.delay;
        run.flows.push_back({f.tag, begin, i < 0 ? begin : SecondsOf(out.finish_s[i])});
      }
    }
    return run;
  }

 private:
  Topology topology_;
};

}  // namespace

Diagnostics network_problems(const ClusterSpec& c) {
  Diagnostics d;
  for (const std::string& m : validate(c)) d.add("<inline>", "/cluster", m);
  if (d.empty())
    for (const std::string& m : topology_problems(c)) d.add("<inline>", "/cluster", m);
  return d;
}

std::unique_ptr<NetworkSimulator> make_network(const ClusterSpec& c) {
  return make_network(c, KernelEngines{});
}

std::unique_ptr<NetworkSimulator> make_network(const ClusterSpec& c, const KernelEngines& engines) {
  network_problems(c).throw_if_any();
  return std::make_unique<SimGridNetwork>(c, engines);
}

const char* to_string(NetworkModel m) { return m == NetworkModel::kFast ? "fast" : "per-flow"; }

const char* to_string(NetworkGranularity g) {
  return g == NetworkGranularity::kFlows ? "flows" : "collectives";
}

std::unique_ptr<NetworkBackend> make_network_backend(const ClusterSpec& c,
                                                     const KernelEngines& engines,
                                                     std::vector<std::pair<int, int>> pairs,
                                                     NetworkGranularity granularity,
                                                     bool lone_closed_form) {
  network_problems(c).throw_if_any();
  const Topology topo(c, engines);
  auto session = std::make_unique<detail::SimGridSession>(
      topo, std::move(pairs),
      granularity == NetworkGranularity::kFlows ? detail::SimGridModel::kFlowsCm02
                                                : detail::SimGridModel::kParallelTasksL07);
  if (granularity == NetworkGranularity::kFlows || !lone_closed_form) return session;
  return std::make_unique<detail::LoneCollectives>(topo, std::move(session));
}

size_t activities_in_simgrid(const NetworkBackend& net, size_t started) {
  const auto* l = dynamic_cast<const detail::LoneCollectives*>(&net);
  return l ? l->simgrid_count() : started;
}

}  // namespace moesim
