#include "sim/net/collectives.h"

#include "sim/core/check.h"

namespace moesim {
namespace {

uint64_t pair_tag(int src, int dst, int n) {
  return static_cast<uint64_t>(src) * static_cast<uint64_t>(n) + static_cast<uint64_t>(dst);
}

}  // namespace

EpLegs ep_legs(const EpTraffic& t, double bytes_per_token) {
  const int ep = t.ep, gpn = t.gpus_per_node;
  const int local_count = ep < gpn ? ep : gpn;
  EpLegs legs;
  for (int s = 0; s < ep; ++s) {
    const int sn = t.node_of(s), sl = s % gpn;
    for (int n = 0; n < t.nodes; ++n) {
      if (n == sn || t.to_node(s, n) == 0) continue;
      const int relay = n * gpn + sl;
      legs.ib.push_back({s, relay, ByteCount(t.to_node(s, n) * bytes_per_token),
                         pair_tag(s, relay, ep) | kRelayHopTagBit});
    }
  }
  // The relay f = (n, l) forwards to d = (n, l') the tokens of every rank s
  // with local index l that have an expert on d; s == f sends its own.
  for (int f = 0; f < ep; ++f) {
    const int fn = t.node_of(f), fl = f % gpn;
    for (int dl = 0; dl < local_count; ++dl) {
      const int d = fn * gpn + dl;
      if (d == f) continue;
      int64_t relayed = 0;
      for (int sn = 0; sn < t.nodes; ++sn)
        if (sn != fn) relayed += t.to_rank(sn * gpn + fl, d);
      if (t.to_rank(f, d) > 0)
        legs.nvl_own.push_back(
            {f, d, ByteCount(t.to_rank(f, d) * bytes_per_token), pair_tag(f, d, ep)});
      if (relayed > 0)
        legs.nvl_relay.push_back({f, d, ByteCount(relayed * bytes_per_token), pair_tag(f, d, ep)});
    }
  }
  return legs;
}

namespace {

void append(std::vector<Flow>& to, const std::vector<Flow>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

// Same bytes, opposite direction. The relay bit moves to the NVLink partials,
// whose destination (the relay) reduces and forwards them.
std::vector<Flow> reversed(const std::vector<Flow>& flows, int n, bool to_relay) {
  std::vector<Flow> r;
  r.reserve(flows.size());
  for (const Flow& f : flows)
    r.push_back(
        {f.dst, f.src, f.bytes, pair_tag(f.dst, f.src, n) | (to_relay ? kRelayHopTagBit : 0)});
  return r;
}

}  // namespace

std::vector<std::vector<Flow>> ep_dispatch_flows(const EpTraffic& t, const EpCollectiveSpec& s) {
  const EpLegs legs = ep_legs(t, s.hidden * s.dispatch_bytes_per_element);
  std::vector<Flow> first = legs.ib;
  append(first, legs.nvl_own);
  if (s.schedule == EpSchedule::kStoreAndForward) return {first, legs.nvl_relay};
  append(first, legs.nvl_relay);
  return {first};
}

std::vector<std::vector<Flow>> ep_combine_flows(const EpTraffic& t, const EpCollectiveSpec& s) {
  const EpLegs legs = ep_legs(t, s.hidden * s.combine_bytes_per_element);
  // Partials for other nodes' tokens go back to their relay, which reduces
  // them and sends one result per token over IB to the token's rank.
  std::vector<Flow> nvl = reversed(legs.nvl_own, t.ep, false);
  append(nvl, reversed(legs.nvl_relay, t.ep, true));
  std::vector<Flow> ib = reversed(legs.ib, t.ep, false);
  if (s.schedule == EpSchedule::kStoreAndForward) return {nvl, ib};
  append(nvl, ib);
  return {nvl};
}

std::vector<Flow> all_to_all_flows(const std::vector<int>& gpus, const std::vector<Bytes>& bytes) {
  const size_t n = gpus.size();
  MOESIM_CHECK(bytes.size() == n * n, "all-to-all needs an n x n byte matrix");
  std::vector<Flow> flows;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      if (i != j && bytes[i * n + j] > Bytes())
        flows.push_back({gpus[i], gpus[j], bytes[i * n + j], pair_tag(gpus[i], gpus[j], 1 << 20)});
  return flows;
}

std::vector<std::vector<Flow>> replicate_groups(const std::vector<std::vector<Flow>>& phases,
                                                int group_size, int groups) {
  std::vector<std::vector<Flow>> out(phases.size());
  const uint64_t tag_step = static_cast<uint64_t>(group_size) * static_cast<uint64_t>(group_size);
  for (size_t p = 0; p < phases.size(); ++p) {
    out[p].reserve(phases[p].size() * static_cast<size_t>(groups));
    for (int g = 0; g < groups; ++g)
      for (Flow f : phases[p]) {
        MOESIM_CHECK(f.src < group_size && f.dst < group_size, "a flow outside its group");
        f.src += g * group_size;
        f.dst += g * group_size;
        f.tag += static_cast<uint64_t>(g) * tag_step;
        out[p].push_back(f);
      }
  }
  return out;
}

CollectiveResult run_collective(const NetworkSimulator& net,
                                const std::vector<std::vector<Flow>>& phases, int num_ranks) {
  const NetworkRun run = net.run_phases(phases);
  std::vector<Flow> flows;
  for (const auto& phase : phases) flows.insert(flows.end(), phase.begin(), phase.end());
  std::vector<Seconds> finish(flows.size());
  for (size_t i = 0; i < flows.size(); ++i) finish[i] = run.flows[i].finish;
  return collective_times(flows, finish, num_ranks);
}

CollectiveResult collective_times(const std::vector<Flow>& flows,
                                  const std::vector<Seconds>& finish, int num_ranks) {
  MOESIM_CHECK(flows.size() == finish.size(), "one finish time per flow");
  CollectiveResult r;
  r.received.assign(num_ranks, Seconds());
  r.finished.assign(num_ranks, Seconds());
  for (size_t k = 0; k < flows.size(); ++k) {
    const Flow& f = flows[k];
    const Seconds end = finish[k];
    MOESIM_CHECK(f.src < num_ranks && f.dst < num_ranks, "flow outside the ranks");
    if ((f.tag & kRelayHopTagBit) == 0) r.received[f.dst] = max(r.received[f.dst], end);
    r.finished[f.src] = max(r.finished[f.src], end);
    r.finished[f.dst] = max(r.finished[f.dst], end);
  }
  for (int i = 0; i < num_ranks; ++i) {
    if (r.received[i] > r.received[r.slowest_rank]) r.slowest_rank = i;
    r.makespan = max(r.makespan, r.finished[i]);
  }
  return r;
}

std::vector<Bytes> deepep_counted_bytes(const EpTraffic& t, int hidden) {
  std::vector<Bytes> out(t.ep);
  const double per_token = hidden * 2.0;
  for (int r = 0; r < t.ep; ++r) {
    int64_t tokens = 0;
    if (t.nodes > 1) {
      for (int n = 0; n < t.nodes; ++n) tokens += t.to_node(r, n);
    } else {
      for (int s = 0; s < t.ep; ++s) tokens += t.to_rank(s, r);
    }
    out[r] = ByteCount(tokens * per_token);
  }
  return out;
}

}  // namespace moesim
