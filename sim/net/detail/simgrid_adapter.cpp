#include "sim/net/detail/simgrid_adapter.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <simgrid/s4u.hpp>
#include <stdexcept>
#include <string>
#include <utility>

#include "sim/core/check.h"
#include "sim/net/detail/pipe_io.h"
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

// Child's message: one status byte ('0' ok, '1' error) then the doubles or
// the error text.
[[noreturn]] void child_main(int fd, const Topology& topo, const std::vector<SimFlow>& flows,
                             int num_phases, bool split_parts) {
  std::string msg;
  try {
    const std::vector<double> out = run_simulation(topo, flows, num_phases, split_parts);
    msg.assign(1, '0');
    msg.append(reinterpret_cast<const char*>(out.data()), out.size() * sizeof(double));
  } catch (const std::exception& e) {
    msg = std::string("1") + e.what();
  } catch (...) {
    msg = "1unknown exception";
  }
  write_all(fd, msg.data(), msg.size());
  ::close(fd);
  ::_exit(0);  // no atexit handlers or static destructors of the parent's program
}

}  // namespace

SimOutcome simulate_flows(const Topology& topology, const std::vector<SimFlow>& flows,
                          int num_phases, bool split_parts) {
  MOESIM_CHECK(num_phases >= 1, "at least one phase");
  for (const SimFlow& f : flows)
    MOESIM_CHECK(f.phase >= 0 && f.phase < num_phases && f.src != f.dst && f.bytes >= 0 &&
                     f.delay_s >= 0 && f.src >= 0 && f.dst >= 0 && f.src < topology.num_gpus() &&
                     f.dst < topology.num_gpus(),
                 "malformed flow");
  int fds[2];
  if (::pipe(fds) != 0)
    throw std::runtime_error(std::string("network simulation: pipe failed: ") +
                             std::strerror(errno));
  // The child inherits unflushed stdio buffers; SimGrid may flush them there.
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(std::string("network simulation: fork failed: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::close(fds[0]);
    close_inherited_fds({fds[1]});
    child_main(fds[1], topology, flows, num_phases, split_parts);
  }
  ::close(fds[1]);
  const std::string msg = read_to_end(fds[0]);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (msg.empty() || msg[0] != '0') {
    std::string why = !msg.empty() ? msg.substr(1)
                      : WIFSIGNALED(status)
                          ? "killed by signal " + std::to_string(WTERMSIG(status))
                          : "exited with status " + std::to_string(WEXITSTATUS(status));
    throw std::runtime_error("network simulation (SimGrid child process) failed: " + why);
  }
  const size_t n = flows.size() + num_phases;
  if (msg.size() != 1 + n * sizeof(double))
    throw std::runtime_error("network simulation: truncated result from the child process");
  std::vector<double> out(n);
  std::memcpy(out.data(), msg.data() + 1, n * sizeof(double));
  SimOutcome r;
  r.finish_s.assign(out.begin(), out.begin() + flows.size());
  r.phase_end_s.assign(out.begin() + flows.size(), out.end());
  return r;
}

}  // namespace moesim::detail
