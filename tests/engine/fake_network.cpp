#include "tests/engine/fake_network.h"

#include <gtest/gtest.h>

namespace moesim::testing {

void FixedLinkNetwork::start(ActivityId id, const std::vector<NetworkTransfer>& flows,
                             Seconds now) {
  EXPECT_EQ(now, now_) << "start() must come at the time of the last advance_to()";
  EXPECT_FALSE(flows.empty());
  EXPECT_EQ(finish_.count(id.value), 0u);
  Seconds finish = now;
  for (const NetworkTransfer& f : flows)
    if (f.src != f.dst) finish = max(finish, now + latency_ + f.bytes / bandwidth_);
  finish_[id.value] = finish;
  ++started_;
}

std::optional<Seconds> FixedLinkNetwork::next_completion() const {
  std::optional<Seconds> next;
  for (const auto& [id, t] : finish_)
    if (!next || t < *next) next = t;
  return next;
}

std::vector<ActivityId> FixedLinkNetwork::advance_to(Seconds now) {
  EXPECT_GE(now, now_);
  if (auto next = next_completion()) {
    EXPECT_LE(now, *next);
  }
  now_ = now;
  std::vector<ActivityId> done;
  for (auto it = finish_.begin(); it != finish_.end();) {
    if (it->second <= now) {
      done.push_back(ActivityId{it->first});
      it = finish_.erase(it);
    } else {
      ++it;
    }
  }
  return done;
}

}  // namespace moesim::testing
