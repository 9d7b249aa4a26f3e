#include "tests/engine/fake_network.h"

#include <gtest/gtest.h>

namespace moesim::testing {

void FixedLinkNetwork::start(ActivityId id, const std::vector<NetworkTransfer>& flows,
                             Seconds now) {
  EXPECT_EQ(now, now_) << "start() must come at the time of the last advance()";
  EXPECT_FALSE(flows.empty());
  EXPECT_EQ(finish_.count(id.value), 0u);
  Seconds finish = now;
  for (const NetworkTransfer& f : flows)
    if (f.src != f.dst)
      finish = max(finish, now + f.delay + latency_ + f.bytes / bandwidth_ + f.tail);
  finish_[id.value] = finish;
  ++started_;
}

NetworkStep FixedLinkNetwork::advance(std::optional<Seconds> limit) {
  if (limit) {
    EXPECT_GE(*limit, now_);
  }
  EXPECT_TRUE(limit || busy()) << "advance() without a limit needs a running activity";
  std::optional<Seconds> next;
  for (const auto& [id, t] : finish_)
    if (!next || t < *next) next = t;
  const Seconds now = next && (!limit || *next <= *limit) ? *next : *limit;
  now_ = now;
  NetworkStep step{now, {}};
  for (auto it = finish_.begin(); it != finish_.end();) {
    if (it->second <= now) {
      step.completed.push_back(ActivityId{it->first});
      it = finish_.erase(it);
    } else {
      ++it;
    }
  }
  return step;
}

}  // namespace moesim::testing
