#pragma once
// The load a scenario's routing model (training.routing, sim/model/routing.h)
// puts on the busiest rank of an EP group, for one micro-batch: the rows its
// grouped GEMMs run and the tokens it receives in a dispatch, against the
// mean rank. The busiest rank paces every EP call and every expert block of
// the layer (the combine waits for it), so both fidelities price the expert
// block and the EP calls at it.
//
// Uniform popularity is exactly balanced (1 and 1; nothing is sampled, so a
// scenario without a routing model prices as before). Otherwise the tokens
// are routed once with the spec's seed (route_tokens: group-limited top-k on
// the popularity) and the result is cached per routing, model, EP size and
// token count, so sweeps pay the sampling once. Every layer sees the same
// popularity (one histogram for the model; per-layer loads are not modeled).
//
// With plan.redundant_experts, EPLB's policy (sim/model/eplb.h) places the
// physical experts on the loads this routing produced, and the busiest GPU's
// rows are its copies' shares; its received tokens are taken to follow its
// rows (the routing is not re-drawn over the copies).
//
// Thread safety: may be called from any thread.

#include "sim/model/routing.h"
#include "sim/scenario/scenario.h"

namespace moesim {

// REQUIRES: s validated. tokens: per rank per micro-batch.
ExpertLoad scenario_expert_load(const Scenario& s, int tokens);

}  // namespace moesim
