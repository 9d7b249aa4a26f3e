#include "sim/net/detail/simgrid_platform.h"

#include <algorithm>
#include <string>

namespace moesim::detail {
namespace {

namespace sg4 = simgrid::s4u;
using LinkInRoute = sg4::LinkInRoute;

const char* const kCommonOptions[] = {
    "moesim",
    "--log=root.thresh:critical",
    "--cfg=network/crosstraffic:0",
    "--cfg=network/TCP-gamma:0",
    "--cfg=maxmin/precision:1e-9",
    "--cfg=surf/precision:1e-12",
};

std::vector<LinkInRoute> to_simgrid(const std::vector<LinkHop>& hops,
                                    const std::vector<sg4::Link*>& links) {
  std::vector<LinkInRoute> r;
  r.reserve(hops.size());
  for (const LinkHop& h : hops)
    r.emplace_back(links[h.link], h.up ? LinkInRoute::Direction::UP : LinkInRoute::Direction::DOWN);
  return r;
}

}  // namespace

SimGridPlatform build_platform(const Topology& topo, std::vector<std::pair<int, int>> pairs,
                               SimGridModel model) {
  std::vector<char*> argv;
  for (const char* o : kCommonOptions) argv.push_back(const_cast<char*>(o));
  std::string model_option = model == SimGridModel::kFlowsCm02
                                 ? "--cfg=network/model:CM02"
                                 : "--cfg=host/model:ptask_L07";
  argv.push_back(model_option.data());
  int argc = static_cast<int>(argv.size());
  argv.push_back(nullptr);
  SimGridPlatform p;
  p.engine = std::make_unique<sg4::Engine>(&argc, argv.data());

  auto* zone = sg4::create_star_zone("cluster");
  p.hosts.reserve(topo.num_gpus());
  for (int g = 0; g < topo.num_gpus(); ++g)
    p.hosts.push_back(zone->create_host("gpu" + std::to_string(g), 1e15));
  p.links.reserve(topo.links().size());  // split-duplex: UP and DOWN are independent
  for (const TopologyLink& l : topo.links())
    p.links.push_back(zone->create_split_duplex_link(l.name, bytes_per_s(l.bandwidth))
                          ->set_latency(0)  // see route_latency_s
                          ->seal());
  for (int g = 0; g < topo.num_gpus(); ++g) {
    auto* np = p.hosts[g]->get_netpoint();
    zone->add_route(np, nullptr, nullptr, nullptr, to_simgrid(topo.up(g), p.links), false);
    zone->add_route(nullptr, np, nullptr, nullptr, to_simgrid(topo.down(g), p.links), false);
  }
  pairs.erase(std::remove_if(pairs.begin(), pairs.end(),
                             [&](const std::pair<int, int>& sd) {
                               return sd.first == sd.second ||
                                      !topo.needs_own_route(sd.first, sd.second);
                             }),
              pairs.end());
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  for (const auto& [s, d] : pairs)
    zone->add_bypass_route(p.hosts[s]->get_netpoint(), p.hosts[d]->get_netpoint(), nullptr,
                           nullptr, to_simgrid(topo.route(s, d), p.links));
  zone->seal();
  return p;
}

}  // namespace moesim::detail
