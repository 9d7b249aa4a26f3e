#include "sim/net/detail/lone_collectives.h"

#include <algorithm>
#include <limits>

#include "sim/core/check.h"
#include "sim/net/detail/simgrid_platform.h"
#include "sim/net/detail/transfer_hash.h"

namespace moesim::detail {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

}  // namespace

LoneCollectives::LoneCollectives(const Topology& topo, std::unique_ptr<SimGridSession> session)
    : topo_(topo),
      session_(std::move(session)),
      lone_on_hop_(2 * topo.links().size(), {kNone, 0.0}),
      session_on_hop_(2 * topo.links().size(), 0) {
  MOESIM_CHECK(session_ != nullptr, "LoneCollectives without a session");
}

const LoneCollectives::Entry& LoneCollectives::entry(const std::vector<NetworkTransfer>& flows) {
  auto& bucket = sets_[content_hash(flows)];
  for (const auto& e : bucket)
    if (e->flows == flows) return *e;
  auto e = std::make_unique<Entry>();
  e->flows = flows;
  // The parallel task's load on each link direction, as the child builds it:
  // every remote transfer's bytes on every hop of its route.
  std::map<int, double> load;
  for (const NetworkTransfer& t : flows) {
    double extra = seconds(t.delay) + seconds(t.tail);
    if (t.src != t.dst) {
      extra += route_latency_s(topo_, t.src, t.dst);
      if (t.bytes > Bytes())
        for (const LinkHop& h : topo_.route(t.src, t.dst))
          load[h.link * 2 + (h.up ? 1 : 0)] += bytes(t.bytes);
    }
    e->fp.extra = std::max(e->fp.extra, extra);
  }
  for (const auto& [hop, b] : load) {
    e->fp.hops.push_back(hop);
    e->fp.bw_time =
        std::max(e->fp.bw_time, b / bytes_per_s(topo_.links()[static_cast<size_t>(hop / 2)].bandwidth));
  }
  bucket.push_back(std::move(e));
  return *bucket.back();
}

void LoneCollectives::to_session(uint32_t id, const Entry& set, double remaining, double now) {
  if (session_now_ < now) {
    MOESIM_CHECK(session_busy_ == 0, "the SimGrid session fell behind while busy");
    const NetworkStep s = session_->advance(SecondsOf(now));
    MOESIM_CHECK(s.completed.empty(), "an idle SimGrid session completed an activity");
    session_now_ = now;
  }
  session_->start_part(ActivityId{id}, set.flows, SecondsOf(now), remaining);
  ++session_busy_;
  ++simgrid_started_;
  in_session_[id] = &set;
  for (int h : set.fp.hops) ++session_on_hop_[static_cast<size_t>(h)];
}

void LoneCollectives::start(ActivityId id, const std::vector<NetworkTransfer>& flows, Seconds at) {
  const double now = seconds(at);
  MOESIM_CHECK(now == now_, "start() must come at the time of the last advance()");
  MOESIM_CHECK(!flows.empty(), "an activity without flows");
  const Entry& set = entry(flows);
  std::vector<uint32_t> met;  // lone activities still moving bytes on a shared link
  bool meets_session = false;
  for (int h : set.fp.hops) {
    const auto& [owner, bw_end] = lone_on_hop_[static_cast<size_t>(h)];
    if (owner != kNone && bw_end > now) met.push_back(owner);
    if (session_on_hop_[static_cast<size_t>(h)] > 0) meets_session = true;
  }
  if (met.empty() && !meets_session) {
    const double bw_end = now + set.fp.bw_time;
    const double end = bw_end + set.fp.extra;
    lone_[id.value] = Lone{&set, bw_end, end};
    lone_ends_.insert({end, id.value});
    for (int h : set.fp.hops) lone_on_hop_[static_cast<size_t>(h)] = {id.value, bw_end};
    return;
  }
  std::sort(met.begin(), met.end());
  met.erase(std::unique(met.begin(), met.end()), met.end());
  for (uint32_t other : met) {
    const Lone l = lone_.at(other);
    lone_.erase(other);
    lone_ends_.erase({l.end, other});
    for (int h : l.set->fp.hops) {
      auto& slot = lone_on_hop_[static_cast<size_t>(h)];
      if (slot.first == other) slot = {kNone, 0.0};
    }
    // (bw_end - now) / bw_time can round above 1 when `other` started at now.
    to_session(other, *l.set, std::min(1.0, (l.bw_end - now) / l.set->fp.bw_time), now);
  }
  to_session(id.value, set, 1.0, now);
}

NetworkStep LoneCollectives::advance(std::optional<Seconds> limit) {
  MOESIM_CHECK(limit || busy(), "advance() without a limit needs a running activity");
  std::optional<double> target;
  if (limit) target = seconds(*limit);
  if (!lone_ends_.empty())
    target = target ? std::min(*target, lone_ends_.begin()->first) : lone_ends_.begin()->first;
  MOESIM_CHECK(!target || *target >= now_, "advance() to a time before the current one");
  NetworkStep out;
  double time = 0;
  if (session_busy_ > 0) {
    const NetworkStep s =
        session_->advance(target ? std::optional<Seconds>(SecondsOf(*target)) : std::nullopt);
    time = seconds(s.time);
    session_now_ = time;
    for (ActivityId a : s.completed) {
      for (int h : in_session_.at(a.value)->fp.hops) --session_on_hop_[static_cast<size_t>(h)];
      in_session_.erase(a.value);
      --session_busy_;
      out.completed.push_back(a);
    }
  } else {
    time = *target;
  }
  while (!lone_ends_.empty() && lone_ends_.begin()->first <= time) {
    const uint32_t id = lone_ends_.begin()->second;
    lone_ends_.erase(lone_ends_.begin());
    lone_.erase(id);
    ++lone_done_;
    out.completed.push_back(ActivityId{id});
  }
  std::sort(out.completed.begin(), out.completed.end());
  now_ = time;
  out.time = SecondsOf(time);
  return out;
}

}  // namespace moesim::detail
