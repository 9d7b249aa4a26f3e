#pragma once
// Achieved fraction of a datasheet peak, per class of op, from published
// measurements. Until real/ writes measured profiles (issue 7), two tables ship:
//  - "published": H800 kernel measurements DeepSeek published (DeepGEMM FP8 GEMM
//    throughputs, FlashMLA attention and memory throughputs), applied to any GPU
//    as fractions of that GPU's own peaks;
//  - "datasheet": every efficiency 1.0 (the roofline), as an upper bound.
// GEMM efficiency is looked up by shape: inverse-distance weighting in
// (log M, log N, log K) over the measured shapes (exact at a measured shape).

#include <string>
#include <vector>

namespace moesim {

struct GemmPoint {
  double m = 0, n = 0, k = 0;  // per group
  int groups = 1;
  double efficiency = 0;       // achieved / peak of the GEMM's dtype
  std::string source;
  double log_m = 0, log_n = 0, log_k = 0;  // log2 of m, n, k (set by the table's builder)
};

struct EfficiencyTable {
  std::string name;
  std::vector<GemmPoint> gemm_fp8;  // FP8 block-scaled GEMMs
  // No H800 BF16 GEMM table is published; BF16 GEMMs use the FP8 points' shape
  // dependence unless a table provides its own (flagged in reports).
  std::vector<GemmPoint> gemm_bf16;
  double attention = 1.0;     // attention core, fraction of BF16 peak
  double memory = 1.0;        // memory-bound ops, fraction of HBM bandwidth
  std::string attention_source;
  std::string memory_source;

  // REQUIRES: m, n, k > 0. Efficiency in (0, 1].
  double gemm_efficiency(double m, double n, double k, bool fp8) const;
  // True when BF16 GEMMs borrow the FP8 curve (no BF16 measurement).
  bool bf16_is_estimated() const { return gemm_bf16.empty(); }
};

const EfficiencyTable& published_h800_efficiency();
const EfficiencyTable& datasheet_efficiency();
// REQUIRES: name is "published" or "datasheet" (ClusterSpec validation checks it).
const EfficiencyTable& efficiency_table_named(const std::string& name);

}  // namespace moesim
