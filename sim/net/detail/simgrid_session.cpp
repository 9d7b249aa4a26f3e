#include "sim/net/detail/simgrid_session.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <queue>
#include <set>
#include <stdexcept>

#include "sim/core/check.h"
#include "sim/net/detail/pipe_io.h"
#include "sim/net/detail/transfer_hash.h"

namespace moesim::detail {
namespace {

namespace sg4 = simgrid::s4u;

// Commands, parent -> child.
constexpr char kDefine = 'D';   // u32 set, u32 n, n x WireTransfer: a transfer set
constexpr char kStart = 'S';    // u32 id, u32 set, f64 scale: starts a defined set as activity id,
                                // its bytes times scale (parallel tasks only; flows: 1)
constexpr char kAdvance = 'A';  // u8 has_limit, f64 limit
// Replies to kAdvance, child -> parent: kOk f64 time, u32 n, n x u32 id; or
// kError then text.
constexpr char kOk = '0';
constexpr char kError = '1';

struct WireTransfer {
  int32_t src, dst;
  double bytes, delay, tail;
  int32_t relay;
  int32_t unused;
};

constexpr double kInf = std::numeric_limits<double>::infinity();

// The child's side: the driver actor's state.
class Driver {
 public:
  Driver(const Topology& topo, SimGridPlatform& p, SimGridModel model, int in, int out)
      : topo_(topo), p_(p), model_(model), in_(in), out_(out) {}

  void serve() {
    for (;;) {
      char cmd = 0;
      if (!read_exact(in_, &cmd, 1)) return;  // the parent closed: done
      try {
        if (cmd == kDefine) {
          read_define();
        } else if (cmd == kStart) {
          read_start();
        } else if (cmd == kAdvance) {
          uint8_t has = 0;
          double limit = 0;
          if (!read_exact(in_, &has, 1) || !read_exact(in_, &limit, sizeof limit)) return;
          reply(advance(has ? limit : kInf));
        } else {
          throw std::runtime_error(std::string("unknown command '") + cmd + "'");
        }
      } catch (const std::exception& e) {
        Message m;
        m.put(kError).put_text(e.what());
        write_all(out_, m.bytes().data(), m.bytes().size());
        return;
      }
    }
  }

 private:
  struct Running {
    sg4::ActivityPtr activity;
    uint32_t id = 0;
    double extra = 0;  // arrival = SimGrid finish + extra
    int dst = -1;      // a flow without relay: its destination, else -1
  };
  struct Delayed {
    double at = 0;
    uint64_t seq = 0;
    uint32_t id = 0;
    WireTransfer t{};
    bool operator>(const Delayed& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  struct State {
    size_t left = 0;
    double arrival = 0;
    std::map<int, double> input_done;               // GPU -> last arrival into it (no relay)
    std::vector<std::pair<int, double>> relay_tails;  // (relay GPU, tail)
  };

  // A transfer set, prepared once for every start of it.
  struct Prepared {
    std::vector<WireTransfer> transfers;  // kFlowsCm02
    std::vector<sg4::Host*> hosts;        // kParallelTasksL07: the GPUs involved
    std::vector<double> bytes;            // their bytes matrix
    double extra = 0;                     // largest delay + latency + tail
  };

  void read_define() {
    uint32_t set = 0, n = 0;
    if (!read_exact(in_, &set, sizeof set) || !read_exact(in_, &n, sizeof n))
      throw std::runtime_error("truncated define command");
    if (set != sets_.size()) throw std::runtime_error("transfer sets out of order");
    Prepared p;
    p.transfers.resize(n);
    if (n > 0 && !read_exact(in_, p.transfers.data(), n * sizeof(WireTransfer)))
      throw std::runtime_error("truncated define command");
    if (model_ == SimGridModel::kParallelTasksL07) {
      // One parallel task over the GPUs involved, in increasing GPU order.
      std::vector<int> gpus;
      for (const WireTransfer& t : p.transfers) {
        if (t.src == t.dst) {
          p.extra = std::max(p.extra, t.delay + t.tail);
          continue;
        }
        gpus.push_back(t.src);
        gpus.push_back(t.dst);
        p.extra = std::max(p.extra, t.delay + route_latency_s(topo_, t.src, t.dst) + t.tail);
      }
      std::sort(gpus.begin(), gpus.end());
      gpus.erase(std::unique(gpus.begin(), gpus.end()), gpus.end());
      const size_t k = gpus.size();
      for (int g : gpus) p.hosts.push_back(p_.hosts[static_cast<size_t>(g)]);
      p.bytes.assign(k * k, 0.0);
      auto index = [&](int g) {
        return static_cast<size_t>(std::lower_bound(gpus.begin(), gpus.end(), g) - gpus.begin());
      };
      for (const WireTransfer& t : p.transfers)
        if (t.src != t.dst) p.bytes[index(t.src) * k + index(t.dst)] += t.bytes;
      p.transfers.clear();
    }
    sets_.push_back(std::move(p));
  }

  void read_start() {
    uint32_t id = 0, set = 0;
    double scale = 1;
    if (!read_exact(in_, &id, sizeof id) || !read_exact(in_, &set, sizeof set) ||
        !read_exact(in_, &scale, sizeof scale))
      throw std::runtime_error("truncated start command");
    if (set >= sets_.size()) throw std::runtime_error("start of an undefined transfer set");
    const Prepared& p = sets_[set];
    const double now = sg4::Engine::get_clock();
    State& st = state_[id];
    if (model_ == SimGridModel::kParallelTasksL07) {
      st.left = 1;
      st.arrival = now;
      if (p.hosts.empty()) {
        finish_one(id, now + p.extra, -1);
        return;
      }
      std::vector<double> bytes = p.bytes;
      if (scale != 1)
        for (double& b : bytes) b *= scale;
      sg4::ExecPtr e = sg4::Exec::init()
                           ->set_hosts(p.hosts)
                           ->set_flops_amounts(std::vector<double>(p.hosts.size(), 0.0))
                           ->set_bytes_amounts(std::move(bytes));
      e->start();
      running_.push_back({e, id, p.extra, -1});
      return;
    }
    if (scale != 1) throw std::runtime_error("a scaled start of flows");
    st.left = p.transfers.size();
    st.arrival = now;
    for (const WireTransfer& t : p.transfers) {
      if (t.delay > 0) {
        delayed_.push({now + t.delay, seq_++, id, t});
      } else {
        start_flow(id, t);
      }
    }
  }

  void start_flow(uint32_t id, const WireTransfer& t) {
    const double now = sg4::Engine::get_clock();
    const bool relayed = t.relay >= 0;
    if (relayed) state_.at(id).relay_tails.emplace_back(t.relay, t.tail);
    const double tail = relayed ? 0.0 : t.tail;
    const int dst = relayed ? -1 : t.dst;
    if (t.src == t.dst) {
      finish_one(id, now + tail, dst);
      return;
    }
    const double extra = route_latency_s(topo_, t.src, t.dst) + tail;
    const auto bytes = static_cast<uint64_t>(t.bytes + 0.5);
    if (bytes == 0) {
      finish_one(id, now + extra, dst);
      return;
    }
    running_.push_back({sg4::Comm::sendto_async(p_.hosts[static_cast<size_t>(t.src)],
                                                p_.hosts[static_cast<size_t>(t.dst)], bytes),
                        id, extra, dst});
  }

  // One flow (or parallel task) of activity `id` arrived at `arrival`; `dst`
  // is its destination when it has no relay (-1 otherwise).
  void finish_one(uint32_t id, double arrival, int dst) {
    State& st = state_.at(id);
    st.arrival = std::max(st.arrival, arrival);
    if (dst >= 0) {
      double& in = st.input_done[dst];
      in = std::max(in, arrival);
    }
    if (--st.left == 0) {
      for (const auto& [g, tail] : st.relay_tails) {
        auto it = st.input_done.find(g);
        if (it != st.input_done.end()) st.arrival = std::max(st.arrival, it->second + tail);
      }
      done_.insert({st.arrival, id});
      state_.erase(id);
    }
  }

  // Waits on the running activities for up to `timeout` (kInf: no limit);
  // returns false on a timeout, else handles the one that finished.
  bool wait(double timeout) {
    std::vector<sg4::ActivityPtr> v;
    v.reserve(running_.size());
    for (const Running& r : running_) v.push_back(r.activity);
    const ssize_t k =
        sg4::Activity::wait_any_for(v, timeout == kInf ? -1.0 : std::max(0.0, timeout));
    if (k < 0 || static_cast<size_t>(k) >= running_.size()) return false;
    const Running r = running_[static_cast<size_t>(k)];
    running_.erase(running_.begin() + k);
    finish_one(r.id, sg4::Engine::get_clock() + r.extra, r.dst);
    return true;
  }

  std::pair<double, std::vector<uint32_t>> advance(double limit) {
    for (;;) {
      const double now = sg4::Engine::get_clock();
      double target = limit;
      if (!done_.empty()) target = std::min(target, done_.begin()->first);
      if (!delayed_.empty() && delayed_.top().at <= target) {
        const double at = delayed_.top().at;
        if (at > now) {
          if (!running_.empty()) {
            if (wait(at - now)) continue;
          } else {
            sg4::this_actor::sleep_until(at);
          }
        }
        while (!delayed_.empty() && delayed_.top().at <= at) {
          const Delayed d = delayed_.top();
          delayed_.pop();
          start_flow(d.id, d.t);
        }
        continue;
      }
      if (target == kInf) {
        if (running_.empty()) throw std::runtime_error("advance without a limit with nothing running");
        wait(kInf);
        continue;
      }
      if (running_.empty()) {
        if (target > now) sg4::this_actor::sleep_until(target);
        return collect(target);
      }
      if (!wait(target - now)) return collect(target);
    }
  }

  std::pair<double, std::vector<uint32_t>> collect(double t) {
    std::vector<uint32_t> ids;
    while (!done_.empty() && done_.begin()->first <= t) {
      ids.push_back(done_.begin()->second);
      done_.erase(done_.begin());
    }
    std::sort(ids.begin(), ids.end());
    return {t, ids};
  }

  void reply(const std::pair<double, std::vector<uint32_t>>& r) {
    Message m;
    m.put(kOk).put(r.first).put(static_cast<uint32_t>(r.second.size()));
    for (uint32_t id : r.second) m.put(id);
    write_all(out_, m.bytes().data(), m.bytes().size());
  }

  const Topology& topo_;
  SimGridPlatform& p_;
  SimGridModel model_;
  int in_, out_;
  std::vector<Running> running_;  // in start order
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<Delayed>> delayed_;
  uint64_t seq_ = 0;
  std::map<uint32_t, State> state_;
  std::set<std::pair<double, uint32_t>> done_;  // (arrival, id), not yet reported
  std::vector<Prepared> sets_;
};

[[noreturn]] void child_main(const Topology& topo, std::vector<std::pair<int, int>> pairs,
                             SimGridModel model, int in, int out) {
  try {
    SimGridPlatform p = build_platform(topo, std::move(pairs), model);
    Driver driver(topo, p, model, in, out);
    sg4::Actor::create("driver", p.hosts.front(), [&driver] { driver.serve(); });
    p.engine->run();
  } catch (const std::exception& e) {
    Message m;
    m.put(kError).put_text(e.what());
    write_all(out, m.bytes().data(), m.bytes().size());
  }
  ::close(out);
  ::_exit(0);  // no atexit handlers or static destructors of the parent's program
}

}  // namespace

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
  int down[2], up[2];
  if (::pipe(down) != 0) throw std::runtime_error(std::string("network session: pipe: ") + std::strerror(errno));
  if (::pipe(up) != 0) {
    ::close(down[0]);
    ::close(down[1]);
    throw std::runtime_error(std::string("network session: pipe: ") + std::strerror(errno));
  }
  std::fflush(nullptr);  // the child inherits unflushed stdio buffers
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    for (int fd : {down[0], down[1], up[0], up[1]}) ::close(fd);
    throw std::runtime_error(std::string("network session: fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::close(down[1]);
    ::close(up[0]);
    close_inherited_fds({down[0], up[1]});
    child_main(topo_, own_route_pairs_, model, down[0], up[1]);
  }
  ::close(down[0]);
  ::close(up[1]);
  to_child_ = down[1];
  from_child_ = up[0];
  pid_ = pid;
}

SimGridSession::~SimGridSession() {
  if (to_child_ >= 0) ::close(to_child_);  // the driver sees end of file and returns
  if (from_child_ >= 0) ::close(from_child_);
  if (pid_ > 0) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void SimGridSession::fail(const std::string& why) {
  throw std::runtime_error("network simulation (SimGrid child process) failed: " + why);
}

void SimGridSession::flush() {
  if (pending_.empty()) return;
  if (!write_all(to_child_, pending_.data(), pending_.size())) fail("the child process is gone");
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
  if (!read_exact(from_child_, &status, 1)) fail("no reply (the child process died)");
  if (status == kError) {
    uint32_t n = 0;
    std::string text;
    if (read_exact(from_child_, &n, sizeof n)) {
      text.resize(n);
      if (n > 0 && !read_exact(from_child_, text.data(), n)) text = "(truncated)";
    }
    fail(text);
  }
  double t = 0;
  uint32_t n = 0;
  if (status != kOk || !read_exact(from_child_, &t, sizeof t) ||
      !read_exact(from_child_, &n, sizeof n))
    fail("a malformed reply");
  NetworkStep step;
  step.time = SecondsOf(t);
  step.completed.resize(n);
  for (ActivityId& a : step.completed)
    if (!read_exact(from_child_, &a.value, sizeof a.value)) fail("a truncated reply");
  MOESIM_CHECK(n <= running_, "the child completed more activities than were running");
  running_ -= n;
  now_ = step.time;
  return step;
}

}  // namespace moesim::detail
