#pragma once
// A transfer set's content hash, word by word (a byte-wise hash of every
// start's thousand transfers was a quarter of the headline des step's run
// time). Equal sets hash equal; callers compare contents on a match.
#include <cstdint>
#include <cstring>
#include <vector>

#include "sim/engine/network_backend.h"

namespace moesim::detail {

inline uint64_t content_hash(const std::vector<NetworkTransfer>& flows) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ flows.size();
  auto mix = [&h](uint64_t v) { h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); };
  for (const NetworkTransfer& f : flows) {
    const double v[3] = {bytes(f.bytes), seconds(f.delay), seconds(f.tail)};
    for (double x : v) {
      uint64_t b = 0;
      std::memcpy(&b, &x, sizeof b);
      mix(b);
    }
    mix((static_cast<uint64_t>(static_cast<uint32_t>(f.src)) << 32) ^
        static_cast<uint32_t>(f.dst));
    mix(static_cast<uint32_t>(f.relay));
  }
  return h;
}

}  // namespace moesim::detail
