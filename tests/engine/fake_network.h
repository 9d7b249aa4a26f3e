#pragma once
// A NetworkBackend for engine tests: every directed GPU pair is a private link
// of fixed bandwidth and latency, so a flow takes latency + bytes / bandwidth
// whatever else runs (no contention), a flow with src == dst takes no time, and
// an activity completes when its slowest flow has (delay + latency + bytes /
// bandwidth + tail).

#include <map>
#include <optional>
#include <vector>

#include "sim/engine/network_backend.h"

namespace moesim::testing {

class FixedLinkNetwork : public NetworkBackend {
 public:
  FixedLinkNetwork(BytesPerSecond bandwidth, Seconds latency)
      : bandwidth_(bandwidth), latency_(latency) {}

  void start(ActivityId id, const std::vector<NetworkTransfer>& flows, Seconds now) override;
  bool busy() const override { return !finish_.empty(); }
  NetworkStep advance(std::optional<Seconds> limit) override;

  int started() const { return started_; }

 private:
  BytesPerSecond bandwidth_;
  Seconds latency_;
  Seconds now_;
  std::map<uint32_t, Seconds> finish_;  // running activity -> completion time
  int started_ = 0;
};

}  // namespace moesim::testing
