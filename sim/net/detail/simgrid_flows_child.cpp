// The network child's flows mode (netsim_wire.h): one simulation of flows
// in phases on a fresh SimGrid engine (simgrid_adapter.h). Runs only in
// moesim-netsim.
#include "sim/net/detail/netsim_children.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "sim/core/check.h"
#include "sim/net/detail/simgrid_adapter.h"
#include "sim/net/detail/simgrid_platform.h"

namespace moesim::detail {
namespace {
namespace sg4 = simgrid::s4u;

// The flows `idx` split into parts that share no link direction, each in the
// given order, parts in order of their first flow. Max-min fair sharing
// decomposes over such parts: simulating them apart gives each flow the same
// rates at the same times (tests/net/scale_test.cpp checks it), and keeps the
// number of comms SimGrid 3.32 holds at once, whose cost grows with its square
// (shared/notes/build-and-simgrid.md §4), down to the largest part's.
std::vector<std::vector<size_t>> independent_parts(const Topology& topo,
                                                   const std::vector<SimFlow>& flows,
                                                   const std::vector<size_t>& idx) {
  std::vector<size_t> parent(idx.size());
  for (size_t k = 0; k < idx.size(); ++k) parent[k] = k;
  auto find = [&](size_t k) {
    while (parent[k] != k) k = parent[k] = parent[parent[k]];
    return k;
  };
  // owner[2 * link + direction]: the first flow seen on it.
  std::vector<size_t> owner(2 * topo.links().size(), SIZE_MAX);
  for (size_t k = 0; k < idx.size(); ++k)
    for (const LinkHop& h : topo.route(flows[idx[k]].src, flows[idx[k]].dst)) {
      size_t& o = owner[2 * static_cast<size_t>(h.link) + (h.up ? 0 : 1)];
      if (o == SIZE_MAX) {
        o = k;
      } else {
        const size_t a = find(k), b = find(o);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);  // the root is the first flow
      }
    }
  std::vector<std::vector<size_t>> parts;
  std::vector<size_t> part_of(idx.size(), SIZE_MAX);
  for (size_t k = 0; k < idx.size(); ++k) {
    const size_t r = find(k);
    if (part_of[r] == SIZE_MAX) {
      part_of[r] = parts.size();
      parts.emplace_back();
    }
    parts[part_of[r]].push_back(idx[k]);
  }
  return parts;
}

// Runs in the child: builds the engine and platform, simulates, and returns
// the finish times followed by the phase ends.
std::vector<double> run_simulation(const Topology& topo, const std::vector<SimFlow>& flows,
                                   int num_phases, bool split_parts) {
  std::vector<std::pair<int, int>> pairs;
  pairs.reserve(flows.size());
  for (const SimFlow& f : flows) pairs.emplace_back(f.src, f.dst);
  SimGridPlatform platform = build_platform(topo, std::move(pairs), SimGridModel::kFlowsCm02);
  sg4::Engine& engine = *platform.engine;
  const std::vector<sg4::Host*>& hosts = platform.hosts;

  std::vector<std::vector<size_t>> by_phase(num_phases);
  for (size_t i = 0; i < flows.size(); ++i) by_phase[flows[i].phase].push_back(i);
  std::vector<double> out(flows.size() + num_phases, 0.0);
  double phase_start = 0;
  for (int p = 0; p < num_phases; ++p) {
    double phase_end = phase_start;
    // Independent parts one after the other, each from a clean state at its
    // own base time: the engine then only ever holds one part's comms.
    std::vector<std::vector<size_t>> parts;
    if (split_parts)
      parts = independent_parts(topo, flows, by_phase[p]);
    else if (!by_phase[p].empty())
      parts.push_back(by_phase[p]);
    for (std::vector<size_t>& part : parts) {
      // Start in order of delay (stable: the given order among equal delays).
      std::stable_sort(part.begin(), part.end(),
                       [&](size_t a, size_t b) { return flows[a].delay_s < flows[b].delay_s; });
      const double base = sg4::Engine::get_clock();
      std::vector<sg4::CommPtr> comms;  // must outlive the comms (notes §4)
      comms.reserve(part.size());
      for (size_t i : part) {
        const double start = base + flows[i].delay_s;
        if (start > sg4::Engine::get_clock()) engine.run_until(start);
        comms.push_back(sg4::Comm::sendto_async(hosts[flows[i].src], hosts[flows[i].dst],
                                                static_cast<uint64_t>(flows[i].bytes + 0.5)));
      }
      engine.run();
      for (size_t k = 0; k < comms.size(); ++k) {
        MOESIM_CHECK(comms[k]->get_state() == sg4::Activity::State::FINISHED,
                     "a flow did not finish");
        const SimFlow& f = flows[part[k]];
        const double finish = phase_start + (comms[k]->get_finish_time() - base) +
                              route_latency_s(topo, f.src, f.dst);
        out[part[k]] = finish;
        phase_end = std::max(phase_end, finish);
      }
    }
    out[flows.size() + p] = phase_end;
    phase_start = phase_end;
  }
  return out;
}

}  // namespace

int serve_flows(const Topology& topo, int in, int out) {
  int32_t phases = 0;
  uint8_t split = 0;
  uint32_t n = 0;
  if (!read_exact(in, &phases, sizeof phases) || !read_exact(in, &split, 1) ||
      !read_exact(in, &n, sizeof n) || phases < 1)
    throw std::runtime_error("a truncated flows header");
  std::vector<SimFlow> flows(n);
  for (SimFlow& f : flows) {
    WireFlow w{};
    if (!read_exact(in, &w, sizeof w)) throw std::runtime_error("truncated flows");
    if (w.src < 0 || w.dst < 0 || w.src >= topo.num_gpus() || w.dst >= topo.num_gpus() ||
        w.src == w.dst || w.phase < 0 || w.phase >= phases || !(w.bytes >= 0) ||
        !(w.delay_s >= 0))
      throw std::runtime_error("a malformed flow");
    f = SimFlow{w.src, w.dst, w.bytes, w.phase, w.delay_s};
  }
  const std::vector<double> result = run_simulation(topo, flows, phases, split != 0);
  std::string msg(1, kOk);
  msg.append(reinterpret_cast<const char*>(result.data()), result.size() * sizeof(double));
  return write_all(out, msg.data(), msg.size()) ? 0 : 1;
}

}  // namespace moesim::detail
