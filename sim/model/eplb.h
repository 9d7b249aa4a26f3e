#pragma once
// Expert-parallel load balancing with redundant experts, the policy DeepSeek's
// EPLB describes (github.com/deepseek-ai/EPLB, README; our own implementation):
// given each logical expert's load, add `redundant` physical copies of the
// hottest experts and place all physical experts on the EP group's GPUs so the
// busiest GPU's load is as low as the policy gets it.
//
// Hierarchical (when the node count divides the expert groups, as in V3's
// training and prefill): (1) pack whole expert groups onto nodes, the same
// number of groups per node, heaviest group first onto the lightest node with
// room; (2) within each node, give its share of the redundant slots one at a
// time to the expert with the highest load per copy; (3) pack each node's
// physical experts onto its GPUs, heaviest copy first onto the lightest GPU
// with room. Global (otherwise): steps (2) and (3) over the whole group.
// A token routed to an expert is split evenly over its copies.
//
// Pure and deterministic (ties: the lower index).

#include <string>
#include <vector>

namespace moesim {

struct ExpertPlacement {
  int gpus = 0;
  std::vector<int> replicas;                 // per logical expert, >= 1
  std::vector<std::vector<int>> gpu_experts; // per GPU: the logical expert of each copy it holds
  bool hierarchical = false;
  // Each GPU's load: the sum over its copies of load[e] / replicas[e].
  std::vector<double> gpu_load(const std::vector<double>& load) const;
};

// Problems with the arguments, one sentence each; empty when placeable.
std::vector<std::string> eplb_problems(int experts, int groups, int nodes, int gpus, int redundant);

// REQUIRES: eplb_problems(load.size(), groups, nodes, gpus, redundant) is empty; load >= 0.
ExpertPlacement eplb_placement(const std::vector<double>& load, int groups, int nodes, int gpus,
                               int redundant);

// Max over mean of gpu_load (1 when balanced or no load).
double max_over_mean(const std::vector<double>& gpu_load);

}  // namespace moesim
