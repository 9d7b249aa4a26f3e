#pragma once
// The seam between the engine and a network model. The engine hands over a
// network activity (a set of flows that completes when its last flow has
// arrived) when a task starts, and lets the model run until its next event.
//
// Protocol (conservative co-simulation): the engine knows its own next event
// time T (the earliest work timer) and calls advance(T). The backend runs its
// model from its clock towards T and stops at the first instant at which an
// activity completes, or at T, whichever comes first, and returns that instant
// with the activities completed then. The engine handles its events at that
// instant (which may start() new activities there) and repeats. A backend thus
// never has to predict a completion it has not simulated: new flows can only
// appear at instants the backend has stopped at. A simulator with its own
// clock (SimGrid) fits this protocol as it is.
//
// Implementations: tests/engine's fixed-bandwidth fake; the SimGrid backend in
// sim/net (make_network_backend, network_backend_simgrid.h) that keeps one
// SimGrid engine alive across calls in a child process.
//
// Determinism: identical call sequences must give identical answers, bit for
// bit. Not thread-safe; one engine run owns a backend at a time.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <vector>

#include "sim/core/units.h"

namespace moesim {

// One flow of a network activity, between GPU ids of the cluster.
struct NetworkTransfer {
  NetworkTransfer() = default;
  NetworkTransfer(int s, int d, Bytes b, Seconds delay_ = Seconds(), Seconds tail_ = Seconds(),
                  int relay_ = -1)
      : src(s), dst(d), bytes(b), delay(delay_), tail(tail_), relay(relay_) {}
  int src = 0;
  int dst = 0;  // src == dst: no network
  Bytes bytes;
  // Starts this long after its activity (a relay's second stage waits for its
  // first chunk). >= 0; takes no bandwidth.
  Seconds delay;
  // Without a relay: arrives `tail` after its last byte. With relay = GPU g
  // (a relay's forwarding stage, sent from g): arrives at the later of its
  // last byte and `tail` after the last arrival of this activity's flows into
  // g that have no relay (a relay forwards its last chunk only after its last
  // input has come in). >= 0; takes no bandwidth.
  Seconds tail;
  int relay = -1;
  bool operator==(const NetworkTransfer& o) const {
    return src == o.src && dst == o.dst && bytes == o.bytes && delay == o.delay &&
           tail == o.tail && relay == o.relay;
  }
};

// An immutable list of transfers, shared by every task that starts the same
// flows (a training step starts the same EP call thousands of times): copies
// share one vector.
class TransferList {
 public:
  TransferList() = default;
  TransferList(std::vector<NetworkTransfer> v)  // NOLINT: implicit, like the vector it wraps
      : p_(v.empty() ? nullptr
                     : std::make_shared<const std::vector<NetworkTransfer>>(std::move(v))) {}
  TransferList(std::initializer_list<NetworkTransfer> l)
      : TransferList(std::vector<NetworkTransfer>(l)) {}
  const std::vector<NetworkTransfer>& get() const { return p_ ? *p_ : empty_list(); }
  bool empty() const { return !p_; }
  size_t size() const { return get().size(); }
  auto begin() const { return get().begin(); }
  auto end() const { return get().end(); }
  const NetworkTransfer& operator[](size_t i) const { return get()[i]; }
  bool operator==(const TransferList& o) const { return p_ == o.p_ || get() == o.get(); }

 private:
  static const std::vector<NetworkTransfer>& empty_list() {
    static const std::vector<NetworkTransfer> e;
    return e;
  }
  std::shared_ptr<const std::vector<NetworkTransfer>> p_;
};

// The engine's name for an activity: the id of the task that started it.
struct ActivityId {
  uint32_t value = 0;
  bool operator==(ActivityId o) const { return value == o.value; }
  bool operator<(ActivityId o) const { return value < o.value; }
};

// Where advance() stopped: the instant and what completed there (increasing
// id order; empty when it stopped at the limit).
struct NetworkStep {
  Seconds time;
  std::vector<ActivityId> completed;
};

class NetworkBackend {
 public:
  virtual ~NetworkBackend() = default;

  // Starts `flows` at time `now` as activity `id`.
  // REQUIRES: now is the time of the last advance() (0 before any); flows is
  // not empty; id not started before.
  virtual void start(ActivityId id, const std::vector<NetworkTransfer>& flows, Seconds now) = 0;

  // Whether any started activity has not completed yet.
  virtual bool busy() const = 0;

  // Runs the model to `limit` or to the first completion before it, as above.
  // Without a limit it runs to the next completion (REQUIRES: busy()). When
  // nothing is running it moves its clock to the limit.
  // REQUIRES: limit >= the current time.
  virtual NetworkStep advance(std::optional<Seconds> limit) = 0;
};

}  // namespace moesim
