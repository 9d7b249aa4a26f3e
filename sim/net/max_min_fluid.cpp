#include "sim/net/max_min_fluid.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <queue>
#include <tuple>
#include <utility>

#include "sim/core/check.h"
#include "sim/core/diagnostics.h"

namespace moesim {
namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

uint64_t bits(double d) {
  uint64_t b = 0;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

// A flow that has this little of its bytes left has arrived: SimGrid's
// maxmin precision (simgrid_platform.cpp), relative to the flow.
constexpr double kDone = 1e-9;

}  // namespace

MaxMinFluid::MaxMinFluid(const Topology& topo) : topo_(topo) {
  for (const TopologyLink& l : topo.links())
    for (int dir = 0; dir < 2; ++dir) {
      hop_bw_.push_back(bytes_per_s(l.bandwidth));
      hop_latency_.push_back(seconds(l.latency));
    }
}

MaxMinFluid::MaxMinFluid(const Topology& topo, const Topology::ShiftSymmetry& symmetry)
    : MaxMinFluid(topo) {
  MOESIM_CHECK(symmetry.block > 0 && symmetry.hop_rep.size() == hop_bw_.size(),
               "a symmetry of this topology");
  hop_rep_ = symmetry.hop_rep;
}

int MaxMinFluid::route(int src, int dst, int* hops) const {
  const int n = topo_.route_hops(src, dst, hops);
  if (!hop_rep_.empty())
    for (int i = 0; i < n; ++i) hops[i] = hop_rep_[static_cast<size_t>(hops[i])];
  return n;
}

uint64_t MaxMinFluid::key(const int* hops, int n, double bytes, double delay) const {
  uint64_t h = mix(bits(bytes), bits(delay));
  for (int i = 0; i < n; ++i) h = mix(h, static_cast<uint64_t>(hops[i]));
  return h;
}

int MaxMinFluid::find(const int* hops, int n, double bytes, double delay, uint64_t k) const {
  const auto it = by_key_.find(k);
  if (it == by_key_.end()) return -1;
  for (uint32_t c : it->second) {
    const Class& x = classes_[c];
    if (x.bytes == bytes && x.delay == delay && x.hops == static_cast<uint32_t>(n) &&
        std::equal(hops, hops + n, hop_list_.begin() + x.first_hop))
      return static_cast<int>(c);
  }
  return -1;
}

void MaxMinFluid::add(int src, int dst, double bytes, double delay_s) {
  MOESIM_CHECK(!solved_, "MaxMinFluid::add after solve");
  MOESIM_CHECK(bytes >= 0 && delay_s >= 0, "a flow's bytes and delay are >= 0");
  if (src == dst || bytes == 0) return;
  int hops[Topology::kMaxHops];
  const int n = route(src, dst, hops);
  const uint64_t k = key(hops, n, bytes, delay_s);
  const int c = find(hops, n, bytes, delay_s, k);
  if (c >= 0) {
    classes_[static_cast<size_t>(c)].count += 1;
    return;
  }
  Class x;
  x.first_hop = static_cast<uint32_t>(hop_list_.size());
  x.hops = static_cast<uint32_t>(n);
  x.bytes = bytes;
  x.delay = delay_s;
  x.count = 1;
  x.remaining = bytes;
  hop_list_.insert(hop_list_.end(), hops, hops + n);
  by_key_[k].push_back(static_cast<uint32_t>(classes_.size()));
  classes_.push_back(x);
}

// Progressive filling over the active classes: every hop's fair share is
// its capacity left over its flows not yet fixed; the smallest fixes the rate
// of all its flows; repeat until every active class has a rate.
void MaxMinFluid::share(const std::vector<uint32_t>& active) {
  touched_.clear();
  for (uint32_t c : active) {
    const Class& x = classes_[c];
    for (uint32_t i = 0; i < x.hops; ++i) {
      const size_t h = static_cast<size_t>(hop_list_[x.first_hop + i]);
      if (unfixed_[h] == 0) {
        touched_.push_back(static_cast<int>(h));
        cap_[h] = hop_bw_[h];
      }
      unfixed_[h] += x.count;
    }
    open_[c] = 1;
  }
  // A hop's share only grows as flows elsewhere are fixed at the smallest
  // share (its capacity loses count x min <= count x its share), so the heap
  // keeps each hop's old share and a popped hop whose share has grown goes
  // back with the new one: the first popped at its current share is the
  // smallest.
  using Entry = std::pair<double, int>;  // (fair share when pushed, hop)
  std::vector<Entry> entries;
  entries.reserve(touched_.size());
  for (int h : touched_)
    entries.push_back({cap_[static_cast<size_t>(h)] / unfixed_[static_cast<size_t>(h)], h});
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap(
      std::greater<Entry>(), std::move(entries));
  while (!heap.empty()) {
    const auto [pushed, h] = heap.top();
    heap.pop();
    const size_t hh = static_cast<size_t>(h);
    if (unfixed_[hh] < 0.5) continue;  // every flow on it fixed
    const double fair = std::max(cap_[hh], 0.0) / unfixed_[hh];
    if (fair > pushed) {
      heap.push({fair, h});
      continue;
    }
    for (uint32_t i = hop_start_[hh]; i < hop_start_[hh + 1]; ++i) {
      const uint32_t c = hop_classes_[i];
      if (!open_[c]) continue;
      open_[c] = 0;
      Class& x = classes_[c];
      x.rate = fair;
      for (uint32_t j = 0; j < x.hops; ++j) {
        const size_t g = static_cast<size_t>(hop_list_[x.first_hop + j]);
        cap_[g] -= x.count * fair;
        unfixed_[g] -= x.count;
      }
    }
    unfixed_[hh] = 0;
  }
  for (int h : touched_) unfixed_[static_cast<size_t>(h)] = 0;
}

void MaxMinFluid::solve() {
  MOESIM_CHECK(!solved_, "MaxMinFluid::solve twice");
  solved_ = true;
  const size_t hops = hop_bw_.size();
  // hop -> the classes that cross it, in class order (deterministic).
  hop_start_.assign(hops + 1, 0);
  for (const Class& x : classes_)
    for (uint32_t i = 0; i < x.hops; ++i) ++hop_start_[static_cast<size_t>(hop_list_[x.first_hop + i]) + 1];
  for (size_t h = 0; h < hops; ++h) hop_start_[h + 1] += hop_start_[h];
  hop_classes_.resize(hop_start_[hops]);
  std::vector<uint32_t> fill(hop_start_.begin(), hop_start_.end() - 1);
  for (uint32_t c = 0; c < classes_.size(); ++c) {
    const Class& x = classes_[c];
    for (uint32_t i = 0; i < x.hops; ++i)
      hop_classes_[fill[static_cast<size_t>(hop_list_[x.first_hop + i])]++] = c;
  }
  cap_.assign(hops, 0.0);
  unfixed_.assign(hops, 0.0);
  open_.assign(classes_.size(), 0);

  std::vector<uint32_t> arrivals(classes_.size());
  for (uint32_t c = 0; c < arrivals.size(); ++c) arrivals[c] = c;
  std::stable_sort(arrivals.begin(), arrivals.end(), [&](uint32_t a, uint32_t b) {
    return classes_[a].delay < classes_[b].delay;
  });
  std::vector<uint32_t> active;
  size_t next = 0;
  double t = 0;
  while (next < arrivals.size() || !active.empty()) {
    if (active.empty()) t = std::max(t, classes_[arrivals[next]].delay);
    const size_t before = active.size();
    for (; next < arrivals.size() && classes_[arrivals[next]].delay <= t; ++next)
      active.push_back(arrivals[next]);
    if (active.size() != before) std::sort(active.begin(), active.end());
    share(active);
    ++instants_;
    double dt = next < arrivals.size() ? classes_[arrivals[next]].delay - t : HUGE_VAL;
    for (uint32_t c : active) dt = std::min(dt, classes_[c].remaining / classes_[c].rate);
    MOESIM_CHECK(std::isfinite(dt), "the fluid model made no progress (a flow without rate)");
    t += dt;
    std::vector<uint32_t> still;
    still.reserve(active.size());
    for (uint32_t c : active) {
      Class& x = classes_[c];
      x.remaining -= x.rate * dt;
      if (x.remaining <= kDone * x.bytes) {
        x.remaining = 0;
        x.finish = t;
      } else {
        still.push_back(c);
      }
    }
    active.swap(still);
  }
}

double MaxMinFluid::finish_s(int src, int dst, double bytes, double delay_s) const {
  MOESIM_CHECK(solved_, "MaxMinFluid::finish_s before solve");
  if (src == dst) return delay_s;
  int hops[Topology::kMaxHops];
  const int n = route(src, dst, hops);
  double latency = 0;
  for (int i = 0; i < n; ++i) latency += hop_latency_[static_cast<size_t>(hops[i])];
  if (bytes == 0) return delay_s + latency;
  const int c = find(hops, n, bytes, delay_s, key(hops, n, bytes, delay_s));
  MOESIM_CHECK(c >= 0, "MaxMinFluid::finish_s of a flow that was not added");
  return classes_[static_cast<size_t>(c)].finish + latency;
}

namespace {

// Whether the shift by `block` (mod the topology's GPUs) maps the multiset
// of remote flows onto itself.
bool invariant_under(const std::vector<Flow>& flows, int block, int n) {
  using Key = std::tuple<int, int, uint64_t, uint64_t>;
  struct Hash {
    size_t operator()(const Key& k) const {
      return static_cast<size_t>(mix(mix(mix(static_cast<uint64_t>(std::get<0>(k)),
                                             static_cast<uint64_t>(std::get<1>(k))),
                                         std::get<2>(k)),
                                     std::get<3>(k)));
    }
  };
  std::unordered_map<Key, int, Hash> count;
  for (const Flow& f : flows)
    if (f.src != f.dst && f.bytes > Bytes())
      ++count[Key{f.src, f.dst, bits(bytes(f.bytes)), bits(seconds(f.delay))}];
  for (const auto& [k, c] : count) {
    const auto it = count.find(Key{(std::get<0>(k) + block) % n, (std::get<1>(k) + block) % n,
                                   std::get<2>(k), std::get<3>(k)});
    if (it == count.end() || it->second != c) return false;
  }
  return true;
}

class FastNetwork : public NetworkSimulator {
 public:
  FastNetwork(const ClusterSpec& c, const KernelEngines& e)
      : topology_(c, e), symmetry_(topology_.shift_symmetry(topology_.num_gpus())) {}

  const Topology& topology() const override { return topology_; }

  NetworkRun run_phases(const std::vector<std::vector<Flow>>& phases) const override {
    NetworkRun run;
    Seconds start;
    for (const std::vector<Flow>& phase : phases) {
      const bool sym = symmetry_.block > 0 &&
                       invariant_under(phase, symmetry_.block, topology_.num_gpus());
      MaxMinFluid fluid = sym ? MaxMinFluid(topology_, symmetry_) : MaxMinFluid(topology_);
      for (const Flow& f : phase)
        if (!sym || f.src < symmetry_.block)
          fluid.add(f.src, f.dst, bytes(f.bytes), seconds(f.delay));
      fluid.solve();
      Seconds end = start;
      for (const Flow& f : phase) {
        const Seconds begin = start + f.delay;
        // A local flow ends when it begins and holds its phase up no longer
        // than that (as in the SimGrid network).
        const Seconds finish =
            f.src == f.dst ? begin
                           : start + SecondsOf(fluid.finish_s(f.src, f.dst, bytes(f.bytes),
                                                              seconds(f.delay)));
        run.flows.push_back({f.tag, begin, finish});
        if (f.src != f.dst) end = max(end, finish);
      }
      run.phase_end.push_back(end);
      start = end;
    }
    return run;
  }

 private:
  Topology topology_;
  Topology::ShiftSymmetry symmetry_;
};

}  // namespace

std::unique_ptr<NetworkSimulator> make_fast_network(const ClusterSpec& c,
                                                    const KernelEngines& engines) {
  network_problems(c).throw_if_any();
  return std::make_unique<FastNetwork>(c, engines);
}

}  // namespace moesim
