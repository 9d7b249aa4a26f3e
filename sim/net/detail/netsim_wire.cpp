#include "sim/net/detail/netsim_wire.h"

#include <stdexcept>

namespace moesim::detail {

void write_topology(Message& m, const Topology& topo) {
  const std::string bytes = topo.to_bytes();
  m.put(static_cast<uint64_t>(bytes.size()));
  m.put_raw(bytes);
}

Topology read_topology(int fd) {
  uint64_t n = 0;
  if (!read_exact(fd, &n, sizeof n)) throw std::runtime_error("a truncated topology");
  if (n > (uint64_t{1} << 34)) throw std::runtime_error("a topology beyond 16 GiB");
  std::string bytes(n, '\0');
  if (n > 0 && !read_exact(fd, bytes.data(), n)) throw std::runtime_error("a truncated topology");
  return Topology::from_bytes(bytes);
}

double route_latency_s(const Topology& topo, int src, int dst) {
  Seconds total;
  for (const LinkHop& h : topo.route(src, dst)) total += topo.links()[h.link].latency;
  return seconds(total);
}

}  // namespace moesim::detail
