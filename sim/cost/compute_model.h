#pragma once
// Time of one op on one GPU: the roofline with published efficiencies,
//   t = max(FLOPs / (peak(dtype) x eff(op, shape) x sm_share),
//           bytes / (HBM bandwidth x eff_memory))
// where sm_share is the fraction of SMs left to compute while communication
// kernels hold `comm_sms` of them (V3TR §3.2.2: 20 of 132 on H800).

#include "sim/core/units.h"
#include "sim/hw/efficiency_table.h"
#include "sim/hw/gpu_spec.h"
#include "sim/model/op.h"

namespace moesim {

enum class Pass { kForward, kBackwardInput, kBackwardWeight };

class ComputeModel {
 public:
  // REQUIRES: 0 <= comm_sms < gpu.sm_count; `table` outlives the model (the
  // shipped tables are static).
  ComputeModel(const GpuSpec& gpu, const EfficiencyTable& table, bool fp8_recipe, int comm_sms);

  Seconds time(const Op& op, Pass pass) const { return price(op, pass).time; }
  // The time and its SM-bound part: all of it when the compute term of the
  // roofline wins, none when HBM bandwidth does. Only the SM-bound part slows
  // while communication holds SMs (the des engine's Task::sm_bound); a
  // bandwidth-bound kernel keeps its speed on the SMs communication leaves, as
  // the trace calibration assumes (it corrects compute classes only).
  struct Priced {
    Seconds time, sm_bound;
  };
  Priced price(const Op& op, Pass pass) const;
  const EfficiencyTable& table() const { return *table_; }
  double sm_share() const { return sm_share_; }

 private:
  const GpuSpec* gpu_;
  const EfficiencyTable* table_;
  bool fp8_recipe_;
  double sm_share_;
};

}  // namespace moesim
