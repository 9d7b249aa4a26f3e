#include "sim/cost/step_boundary.h"

#include <algorithm>

#include "sim/cost/comm_model.h"
#include "sim/hw/efficiency_table.h"

namespace moesim {

DpSync dp_sync_time(const Scenario& s, const std::vector<int>& stages, const StageCosts& costs) {
  // ZeRO-3 / FSDP reduce-scatter each unit's gradients in its backward and
  // gather its parameters before its forward (UnitCost::fsdp_*): nothing is
  // left for the step's end.
  if (s.plan.gathers_parameters()) return DpSync{};
  double dense = 0, expert = 0;
  for (int si : stages) {
    dense += costs.stages[si].total.params_dense;
    expert += costs.stages[si].total.params_expert;
  }
  const auto& c = s.cluster;
  const int dense_n = s.plan.weight_replicas();
  const int expert_n = std::max(1, s.plan.expert_replicas());
  auto ring = [&](double bytes_per_param) {
    return ring_collective_time(ByteCount(dense * bytes_per_param), dense_n, c.ib_achievable,
                                c.ib_latency) +
           ring_collective_time(ByteCount(expert * bytes_per_param), expert_n, c.ib_achievable,
                                c.ib_latency);
  };
  return DpSync{ring(s.precision.grad_bytes), ring(2.0)};
}

Seconds optimizer_time(const Scenario& s, Bytes optimizer_bytes) {
  const auto& pr = s.precision;
  const double per_param = 2.0 * pr.master_weight_bytes + 4.0 * pr.optimizer_state_bytes +
                           pr.grad_bytes + 2.0;
  const double params =
      bytes(optimizer_bytes) / (pr.master_weight_bytes + 2.0 * pr.optimizer_state_bytes);
  const EfficiencyTable& t = efficiency_table(s.cluster);
  return ByteCount(params * per_param) / (s.cluster.gpu.hbm_bandwidth * t.memory_efficiency());
}

}  // namespace moesim
