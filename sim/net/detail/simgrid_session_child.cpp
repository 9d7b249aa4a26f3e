// The network child's session mode (netsim_wire.h): one SimGrid engine kept
// alive across the parent's calls, its driver actor serving the commands of
// simgrid_session.h. Runs only in moesim-netsim.
#include "sim/net/detail/netsim_children.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <queue>
#include <set>
#include <stdexcept>
#include <string>

#include "sim/net/detail/simgrid_platform.h"

namespace moesim::detail {
namespace {

namespace sg4 = simgrid::s4u;

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


}  // namespace

int serve_session(const Topology& topo, int in, int out) {
  uint8_t model = 0;
  uint32_t n = 0;
  if (!read_exact(in, &model, 1) || !read_exact(in, &n, sizeof n) || model > 1)
    throw std::runtime_error("a truncated session header");
  std::vector<std::pair<int, int>> pairs(n);
  for (auto& [s, d] : pairs) {
    int32_t sd[2];
    if (!read_exact(in, sd, sizeof sd)) throw std::runtime_error("a truncated session header");
    if (sd[0] < 0 || sd[1] < 0 || sd[0] >= topo.num_gpus() || sd[1] >= topo.num_gpus())
      throw std::runtime_error("a route pair outside the cluster");
    s = sd[0];
    d = sd[1];
  }
  const auto m = static_cast<SimGridModel>(model);
  SimGridPlatform p = build_platform(topo, std::move(pairs), m);
  Driver driver(topo, p, m, in, out);
  sg4::Actor::create("driver", p.hosts.front(), [&driver] { driver.serve(); });
  p.engine->run();
  return 0;
}

}  // namespace moesim::detail
