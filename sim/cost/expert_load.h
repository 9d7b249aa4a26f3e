#pragma once
// The load a scenario's routing model (training.routing, sim/model/routing.h)
// and balancing (training.balancing) put on the busiest rank of an EP group,
// for one micro-batch: the rows its grouped GEMMs run and the tokens it
// receives in a dispatch, against the mean rank. The busiest rank paces every
// EP call and every expert block of the layer (the combine waits for it), so
// both fidelities price the expert block and the EP calls at it.
//
// Uniform popularity is exactly balanced (1 and 1; nothing is sampled, so a
// scenario without a routing model prices as before). Otherwise the tokens
// are routed once with the spec's seed (route_tokens: group-limited top-k on
// the popularity; at most 16,384 tokens per rank sampled, larger micro-batches
// scaled from them) and the result is cached per routing, model, EP size and
// token count, so sweeps pay the sampling once. Every layer sees the same
// popularity (one histogram for the model; per-layer loads are not modeled).
//
// Balancing: under "aux_free" the routing's popularity is where the run
// starts; the bias dynamics (sim/model/aux_free_balancing.h) run over the
// run's steps until steady, and the step a report headlines is the steady
// one, routed by the popularity times exp(bias) (step_routing). Under
// "capacity" every step drops what exceeds the capacity (drop_over_capacity);
// the rows and received tokens are then those kept, against the mean before
// dropping, and `dropped` says how much went.
//
// With plan.redundant_experts, EPLB's policy (sim/model/eplb.h) places the
// physical experts on the loads this routing produced, and the busiest GPU's
// rows are its copies' shares; its received tokens are taken to follow its
// rows (the routing is not re-drawn over the copies).
//
// Thread safety: may be called from any thread.

#include <memory>

#include "sim/model/aux_free_balancing.h"
#include "sim/model/routing.h"
#include "sim/scenario/scenario.h"

namespace moesim {

// The routing the headline step draws its tokens by: the scenario's, or under
// aux_free balancing (and a skewed popularity) a histogram of the popularity
// times exp(bias) where the bias stands once steady.
// REQUIRES: s validated.
RoutingSpec step_routing(const Scenario& s);

// One micro-batch's tokens (per rank) routed by step_routing, dropped over
// capacity under "capacity" balancing (its dropped share into *dropped).
EpTraffic scenario_traffic(const Scenario& s, int tokens, double* dropped = nullptr);

// The headline (steady) step's load. REQUIRES: s validated. tokens: per rank
// per micro-batch.
ExpertLoad scenario_expert_load(const Scenario& s, int tokens);

// The load of the run's first step: under aux_free, the routing as given
// (before any bias); otherwise the same as scenario_expert_load.
ExpertLoad start_expert_load(const Scenario& s, int tokens);

// Under aux_free balancing, the bias dynamics over the run's steps (all phases
// in order), from the routing's popularity until steady (at most
// kMaxBalancingSteps simulated; a run's later steps repeat the last). Null
// otherwise. Cached per popularity, top-k, EP, gamma and step count.
constexpr int kMaxBalancingSteps = 200000;
std::shared_ptr<const BalancingRun> balancing_trajectory(const Scenario& s);

}  // namespace moesim
