#pragma once
// The fast network model for one collective: the same max-min fair fluid
// model as the per-flow SimGrid reference (CM02 with TCP-gamma and cross
// traffic off, sim/net/detail/simgrid_platform.cpp), solved in process
// without SimGrid, a child process or a flow per pair.
//
// Every flow starts at its delay (a collective's flows start at once, a
// relay's second stage a fill later) and moves its bytes at the rate that
// max-min fairness over every link direction gives it, recomputed whenever a
// flow arrives or leaves (progressive filling: the link with the smallest
// fair share fixes the rate of all its flows, which leave that much of
// their other links to the rest; repeat). It arrives when its last byte is
// in plus its route's latency, as the reference times it. A flow without
// bytes arrives at its delay plus its latency.
//
// What makes it cheap:
//  - flows with the same links, bytes and delay get the same rate at every
//    instant: they are one class with a count (a collective's pairs fall into
//    few such classes);
//  - under a shift symmetry of the topology that leaves the traffic as it is
//    (Topology::ShiftSymmetry: every EP group alike, a uniform all-to-all),
//    every hop is counted on its orbit's representative and only the flows
//    from the first block are added: each stands for its images, so flows to
//    GPUs a block apart merge too. A uniform all-to-all of 16,384 GPUs is then
//    ~1e5 classes instead of 2.7e8 flows.
// The cost is (classes x hops + links x log links) per arrival or departure
// instant; a collective has few distinct ones.
//
// Checked against the reference on every collective, fabric and size it
// still runs (<= 128 GPUs): tests/net/max_min_fluid_test.cpp, docs/network.md.

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "sim/hw/cluster_spec.h"
#include "sim/net/network.h"
#include "sim/net/topology.h"

namespace moesim {

class MaxMinFluid {
 public:
  explicit MaxMinFluid(const Topology& topo);
  // Each hop counted on its orbit's representative: add only the flows from
  // the symmetry's first block (the traffic must be invariant under it).
  MaxMinFluid(const Topology& topo, const Topology::ShiftSymmetry& symmetry);

  // A flow of `bytes` from src to dst, starting `delay_s` after t = 0.
  // REQUIRES: before solve(); bytes, delay >= 0.
  void add(int src, int dst, double bytes, double delay_s);
  // Runs the fluid model until every flow has arrived.
  void solve();
  // When that flow arrives, in seconds from t = 0. REQUIRES: after solve();
  // the flow (or, under a symmetry, one of its images) was add()ed with the
  // same bytes and delay.
  double finish_s(int src, int dst, double bytes, double delay_s) const;

  size_t classes() const { return classes_.size(); }
  size_t instants() const { return instants_; }  // arrival and departure instants solved

 private:
  struct Class {
    uint32_t first_hop = 0, hops = 0;  // into hop_list_
    double bytes = 0, delay = 0;
    double count = 0;
    double remaining = 0;  // per flow
    double rate = 0;       // per flow, at the current instant
    double finish = 0;     // last byte in (solve)
  };
  int route(int src, int dst, int* hops) const;
  uint64_t key(const int* hops, int n, double bytes, double delay) const;
  int find(const int* hops, int n, double bytes, double delay, uint64_t k) const;
  void share(const std::vector<uint32_t>& active);

  const Topology& topo_;
  std::vector<int> hop_rep_;          // empty: no symmetry
  std::vector<double> hop_bw_;        // per hop: its link's bandwidth
  std::vector<double> hop_latency_;   // per hop: its link's latency
  std::vector<int> hop_list_;
  std::vector<Class> classes_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_key_;
  // Scratch of share(): per hop, capacity left and unfixed flows.
  std::vector<double> cap_, unfixed_;
  std::vector<char> open_;
  std::vector<int> touched_;
  std::vector<uint32_t> hop_start_, hop_classes_;  // hop -> classes (CSR)
  size_t instants_ = 0;
  bool solved_ = false;
};

// The fast model as a NetworkSimulator: each phase's flows through a
// MaxMinFluid of their own (phases run one after the other), using the
// topology's shift symmetry where the phase's flows are invariant under it,
// so that run_nccl, run_deepep and run_collective work on it unchanged.
// Throws InputError with network_problems(c) when it is not empty.
std::unique_ptr<NetworkSimulator> make_fast_network(const ClusterSpec& c,
                                                    const KernelEngines& engines = {});

}  // namespace moesim
