#include "sim/hw/efficiency_table.h"

#include <cmath>

namespace moesim {

namespace {

// H800 dense FP8 peak the DeepGEMM figures are divided by: 1,978.9 TFLOPS
// (NVIDIA H800 SXM5 datasheet; gpu_catalog.cpp).
constexpr double kH800Fp8PeakTflops = 1978.9;

GemmPoint deepgemm(double m, double n, double k, int groups, double tflops, const char* table) {
  return GemmPoint{m,
                   n,
                   k,
                   groups,
                   tflops / kH800Fp8PeakTflops,
                   std::string("deepseek-ai/DeepGEMM README ") + table +
                       " (shared/reference/published-figures.md §10)",
                   std::log2(m),
                   std::log2(n),
                   std::log2(k)};
}

}  // namespace

double EfficiencyTable::gemm_efficiency(double m, double n, double k, bool fp8) const {
  const auto& pts = (!fp8 && !gemm_bf16.empty()) ? gemm_bf16 : gemm_fp8;
  if (pts.empty()) return 1.0;
  const double lm = std::log2(m), ln = std::log2(n), lk = std::log2(k);
  double wsum = 0, esum = 0;
  for (const auto& p : pts) {
    const double dm = lm - p.log_m, dn = ln - p.log_n, dk = lk - p.log_k;
    const double d2 = dm * dm + dn * dn + dk * dk;
    if (d2 < 1e-12) return p.efficiency;
    const double w = 1.0 / (d2 * d2);  // inverse-distance weight, power 4 on distance
    wsum += w;
    esum += w * p.efficiency;
  }
  return esum / wsum;
}

namespace {
EfficiencyTable make_published() {
  EfficiencyTable t;
  t.name = "published";
  // Compute-bound rows only (M >= 4096): at M = 64/128 the same kernels are
  // HBM-bound, which the roofline's bytes term already models.
  const char* dense = "§10.1 (2025-03-25, M=4096 rows)";
  t.gemm_fp8 = {
      deepgemm(4096, 2112, 7168, 1, 1009, dense),
      deepgemm(4096, 24576, 1536, 1, 1125, dense),
      deepgemm(4096, 32768, 512, 1, 751, dense),
      deepgemm(4096, 7168, 16384, 1, 1426, dense),
      deepgemm(4096, 4096, 7168, 1, 1265, dense),
      deepgemm(4096, 7168, 2048, 1, 1168, dense),
  };
  const char* grouped = "§10.2 (grouped contiguous, 2025-03-25)";
  t.gemm_fp8.push_back(deepgemm(8192, 4096, 7168, 4, 1346, grouped));
  t.gemm_fp8.push_back(deepgemm(8192, 7168, 2048, 4, 1214, grouped));
  t.gemm_fp8.push_back(deepgemm(4096, 4096, 7168, 8, 1346, grouped));
  t.gemm_fp8.push_back(deepgemm(4096, 7168, 2048, 8, 1214, grouped));
  // FlashMLA on H800 SXM5: 660 TFLOPS compute-bound (after 2025-04-22) of the
  // 989.4 BF16 peak, and 3000 GB/s memory-bound of 3.35 TB/s
  // (deepseek-ai/FlashMLA README; shared/reference §11). A decode kernel: the
  // best published H800 attention figure until real/ measures training shapes.
  t.attention = 660.0 / 989.4;
  t.attention_source = "deepseek-ai/FlashMLA README, 660 TFLOPS on H800 (reference §11)";
  t.memory = 3000.0 / 3350.0;
  t.memory_source = "deepseek-ai/FlashMLA README, 3000 GB/s on H800 (reference §11)";
  return t;
}

EfficiencyTable make_datasheet() {
  EfficiencyTable t;
  t.name = "datasheet";
  t.attention_source = "roofline (efficiency 1.0)";
  t.memory_source = "roofline (efficiency 1.0)";
  return t;
}
}  // namespace

const EfficiencyTable& published_h800_efficiency() {
  static const EfficiencyTable t = make_published();
  return t;
}

const EfficiencyTable& datasheet_efficiency() {
  static const EfficiencyTable t = make_datasheet();
  return t;
}

const EfficiencyTable& efficiency_table_named(const std::string& name) {
  if (name == "datasheet") return datasheet_efficiency();
  return published_h800_efficiency();
}

}  // namespace moesim
