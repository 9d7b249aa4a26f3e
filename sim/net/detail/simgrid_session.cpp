#include "sim/net/detail/simgrid_session.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "sim/core/check.h"
#include "sim/net/detail/netsim_wire.h"
#include "sim/net/detail/pipe_io.h"
#include "sim/net/detail/transfer_hash.h"

namespace moesim::detail {

SimGridSession::SimGridSession(const Topology& topo, std::vector<std::pair<int, int>> pairs,
                               SimGridModel model)
    : topo_(topo), model_(model) {
  for (const auto& [s, d] : pairs) {
    MOESIM_CHECK(s >= 0 && d >= 0 && s < topo.num_gpus() && d < topo.num_gpus(),
                 "a GPU pair outside the cluster");
    if (s != d && topo.needs_own_route(s, d)) own_route_pairs_.emplace_back(s, d);
  }
  std::sort(own_route_pairs_.begin(), own_route_pairs_.end());
  own_route_pairs_.erase(std::unique(own_route_pairs_.begin(), own_route_pairs_.end()),
                         own_route_pairs_.end());
  child_ = std::make_unique<ChildProcess>();
  Message m;
  m.put(kSessionMode);
  write_topology(m, topo_);
  m.put(static_cast<uint8_t>(model)).put(static_cast<uint32_t>(own_route_pairs_.size()));
  for (const auto& [s, d] : own_route_pairs_) m.put(static_cast<int32_t>(s)).put(static_cast<int32_t>(d));
  pending_ = m.bytes();
}

SimGridSession::~SimGridSession() = default;  // the child sees end of file and exits

int SimGridSession::child_pid() const { return child_ ? child_->pid() : -1; }

void SimGridSession::fail(const std::string& why) { child_->failure(why); }

void SimGridSession::flush() {
  if (pending_.empty()) return;
  child_->write(pending_);
  pending_.clear();
}

void SimGridSession::start(ActivityId id, const std::vector<NetworkTransfer>& flows, Seconds now) {
  start_part(id, flows, now, 1.0);
}

void SimGridSession::start_part(ActivityId id, const std::vector<NetworkTransfer>& flows,
                                Seconds now, double part) {
  MOESIM_CHECK(now == now_, "start() must come at the time of the last advance()");
  MOESIM_CHECK(part > 0 && part <= 1, "a part of an activity outside (0, 1]");
  MOESIM_CHECK(part == 1 || model_ == SimGridModel::kParallelTasksL07,
               "only parallel tasks start in part");
  MOESIM_CHECK(!flows.empty(), "an activity without flows");
  // The set's id: sent once per distinct content (a step starts the same EP
  // calls thousands of times).
  const uint64_t h = content_hash(flows);
  uint32_t set = 0;
  bool found = false;
  for (uint32_t k : sets_by_hash_[h])
    if (sets_[k] == flows) {
      set = k;
      found = true;
      break;
    }
  if (!found) {
    set = static_cast<uint32_t>(sets_.size());
    Message m;
    m.put(kDefine).put(set).put(static_cast<uint32_t>(flows.size()));
    for (const NetworkTransfer& f : flows) {
      MOESIM_CHECK(f.src >= 0 && f.dst >= 0 && f.src < topo_.num_gpus() &&
                       f.dst < topo_.num_gpus() && f.relay < topo_.num_gpus(),
                   "a transfer between GPUs outside the cluster");
      MOESIM_CHECK(f.bytes >= Bytes() && f.delay >= Seconds() && f.tail >= Seconds(),
                   "a transfer with negative bytes, delay or tail");
      MOESIM_CHECK(f.src == f.dst || !topo_.needs_own_route(f.src, f.dst) ||
                       std::binary_search(own_route_pairs_.begin(), own_route_pairs_.end(),
                                          std::make_pair(f.src, f.dst)),
                   "a transfer between GPUs " + std::to_string(f.src) + " and " +
                       std::to_string(f.dst) + " that the session was not built for");
      m.put(WireTransfer{f.src, f.dst, bytes(f.bytes), seconds(f.delay), seconds(f.tail), f.relay,
                         0});
    }
    pending_ += m.bytes();
    sets_.push_back(flows);
    sets_by_hash_[h].push_back(set);
  }
  Message m;
  m.put(kStart).put(id.value).put(set).put(part);
  pending_ += m.bytes();
  ++running_;
}

NetworkStep SimGridSession::advance(std::optional<Seconds> limit) {
  MOESIM_CHECK(limit || running_ > 0, "advance() without a limit needs a running activity");
  MOESIM_CHECK(!limit || *limit >= now_, "advance() to a time before the current one");
  Message m;
  m.put(kAdvance).put(static_cast<uint8_t>(limit ? 1 : 0)).put(limit ? seconds(*limit) : 0.0);
  pending_ += m.bytes();
  flush();
  char status = 0;
  child_->read(&status, 1);
  if (status == kError) {
    uint32_t n = 0;
    child_->read(&n, sizeof n);
    std::string text(std::min<uint32_t>(n, 4096), '\0');
    if (!text.empty()) child_->read(text.data(), text.size());
    fail("reported: " + text);
  }
  if (status != kOk) fail("sent a malformed reply");
  double t = 0;
  uint32_t n = 0;
  child_->read(&t, sizeof t);
  child_->read(&n, sizeof n);
  MOESIM_CHECK(n <= running_, "the child completed more activities than were running");
  NetworkStep step;
  step.time = SecondsOf(t);
  step.completed.resize(n);
  for (ActivityId& a : step.completed) child_->read(&a.value, sizeof a.value);
  running_ -= n;
  now_ = step.time;
  return step;
}

}  // namespace moesim::detail
