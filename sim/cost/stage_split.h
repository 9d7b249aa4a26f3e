#pragma once
// Assignment of transformer layers to pipeline stages. Stage 0 also holds the
// input embedding; the last stage holds the output head and the MTP modules
// (V3TR §3.2.3: with DualPipe, the first and last stages share a rank, so MTP
// physically shares the embedding and head). Uneven splits are the norm:
// 61 layers over 16 stages cannot be even.

#include <vector>

namespace moesim {

struct StageSplit {
  std::vector<int> layers;  // transformer layers per stage, contiguous, in order
  int first_layer(int stage) const;
};

// The contiguous split that minimises the heaviest stage, given the cost of one
// dense and one MoE layer and the extra cost the first and last stages carry.
// Every stage gets at least one layer when layers >= stages. Ties: earlier
// stages take more layers.
// REQUIRES: num_stages >= 1, layer_costs.size() >= num_stages.
StageSplit balanced_split(const std::vector<double>& layer_costs, int num_stages,
                          double first_stage_extra, double last_stage_extra);

// For DualPipe and DualPipeV, where rank r holds stages r and S-1-r: the split
// that minimises the heaviest *rank* (the sum of its two stages), filled from
// both ends inward so the first rank's embedding and the last stage's head and
// MTP share one rank as V3TR §3.2.3 describes. Within a rank the two stages are
// kept as even as whole layers allow.
// REQUIRES: num_stages even and >= 2, layer_costs.size() >= num_stages.
StageSplit balanced_pair_split(const std::vector<double>& layer_costs, int num_stages,
                               double first_stage_extra, double last_stage_extra);

}  // namespace moesim
