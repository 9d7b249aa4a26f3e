#pragma once
// The seam between the engine and a network model. The engine hands over a
// network activity (a set of flows that completes when its last flow has
// arrived) when a task starts, and asks when the next activity completes.
//
// Protocol (SimGrid's two-phase model protocol): at every step the engine asks
// each model for its next event time -- this backend through next_completion()
// -- takes the earliest over all models, and advances every model to it with
// advance_to(). A backend must therefore be able to tell its next completion
// from the activities started so far, with flows sharing links as its model
// says, and re-plan when start() adds flows.
//
// Implementations: tests/engine's fixed-bandwidth fake; the SimGrid adapter in
// sim/net (to come) that keeps one SimGrid engine alive across calls.
//
// Determinism: identical call sequences must give identical answers, bit for
// bit. Not thread-safe; one engine run owns a backend at a time.

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/core/units.h"

namespace moesim {

// One flow of a network activity, between GPU ids of the cluster.
struct NetworkTransfer {
  int src = 0;
  int dst = 0;  // src == dst: no network
  Bytes bytes;
  bool operator==(const NetworkTransfer& o) const {
    return src == o.src && dst == o.dst && bytes == o.bytes;
  }
};

// The engine's name for an activity: the id of the task that started it.
struct ActivityId {
  uint32_t value = 0;
  bool operator==(ActivityId o) const { return value == o.value; }
  bool operator<(ActivityId o) const { return value < o.value; }
};

class NetworkBackend {
 public:
  virtual ~NetworkBackend() = default;

  // Starts `flows` at time `now` as activity `id`.
  // REQUIRES: now is the time of the last advance_to() (0 before any);
  // flows is not empty; id not started before.
  virtual void start(ActivityId id, const std::vector<NetworkTransfer>& flows, Seconds now) = 0;

  // When the earliest unfinished activity completes if nothing else starts;
  // nullopt when none is running. Never earlier than the current time.
  virtual std::optional<Seconds> next_completion() const = 0;

  // Moves the model's clock to `now` and returns the activities that have
  // completed by then, in increasing id order.
  // REQUIRES: current time <= now <= next_completion() (when set).
  virtual std::vector<ActivityId> advance_to(Seconds now) = 0;
};

}  // namespace moesim
