#include "sim/hw/gpu_spec.h"

namespace moesim {

bool GpuSpec::operator==(const GpuSpec& o) const {
  return name == o.name && peak_bf16 == o.peak_bf16 && peak_fp8 == o.peak_fp8 &&
         peak_fp32 == o.peak_fp32 && hbm_capacity == o.hbm_capacity &&
         hbm_bandwidth == o.hbm_bandwidth && nvlink_bandwidth == o.nvlink_bandwidth &&
         nic_bandwidth == o.nic_bandwidth && sm_count == o.sm_count && source == o.source;
}

namespace {

// Datasheet peaks are the dense (non-sparse) tensor-core figures. NVLink is
// per direction: NVIDIA quotes the bidirectional total, so 400 GB/s -> 200.
std::vector<GpuSpec> make_catalog() {
  std::vector<GpuSpec> c;

  GpuSpec h800;
  h800.name = "H800";
  h800.peak_bf16 = TFlopsPerSecond(989.4);   // NVIDIA H800 SXM5 datasheet: 1,979 TFLOPS sparse
  h800.peak_fp8 = TFlopsPerSecond(1978.9);   // same: 3,958 TFLOPS sparse
  h800.peak_fp32 = TFlopsPerSecond(66.9);    // same: FP32 67 TFLOPS
  // 84,943,110,144 B as the PROF trace's deviceProperties report it
  // (shared/reference/published-figures.md §3); sold as 80 GB.
  h800.hbm_capacity = ByteCount(84943110144.0);
  h800.hbm_bandwidth = TBPerSecond(3.35);    // datasheet; also FlashMLA deep-dive (§3)
  h800.nvlink_bandwidth = GBPerSecond(200);  // 400 GB/s bidirectional (ISCA §4.1)
  h800.nic_bandwidth = GbitPerSecond(400);   // one CX7 400 Gb/s IB NIC per GPU (V3TR §3.2.2)
  h800.sm_count = 132;                       // V3TR §3.5.1
  h800.source =
      "NVIDIA H800 SXM5 datasheet; V3TR §3.1-3.2, ISCA §4.1 (shared/reference §3)";
  c.push_back(h800);

  GpuSpec h100 = h800;
  h100.name = "H100";
  // The H100 SXM5 datasheet's 80 GB HBM3 is the same memory as the H800's:
  // use the CUDA-visible capacity measured on H800 (PROF trace, see above).
  h100.hbm_capacity = h800.hbm_capacity;
  h100.hbm_bandwidth = TBPerSecond(3.35);    // same
  h100.nvlink_bandwidth = GBPerSecond(450);  // 900 GB/s bidirectional (datasheet; ISCA §4.1)
  h100.nic_bandwidth = GbitPerSecond(400);   // DGX H100: 8x CX7 400 Gb/s
  h100.source = "NVIDIA H100 Tensor Core GPU datasheet (SXM5 column); DGX H100 datasheet";
  c.push_back(h100);

  GpuSpec h200 = h100;
  h200.name = "H200";
  h200.hbm_capacity = GB(141);               // NVIDIA H200 datasheet: 141 GB HBM3e
  h200.hbm_bandwidth = TBPerSecond(4.8);     // same: 4.8 TB/s
  h200.source = "NVIDIA H200 Tensor Core GPU datasheet (SXM column)";
  c.push_back(h200);

  GpuSpec a100;
  a100.name = "A100-80GB";
  a100.peak_bf16 = TFlopsPerSecond(312);     // NVIDIA A100 datasheet: BF16 312 (624 sparse)
  a100.peak_fp8 = TFlopsPerSecond(0);        // Ampere has no FP8 tensor cores
  a100.peak_fp32 = TFlopsPerSecond(19.5);    // same
  a100.hbm_capacity = GB(80);                // A100 80GB SXM: HBM2e
  a100.hbm_bandwidth = TBPerSecond(2.039);   // same: 2,039 GB/s
  a100.nvlink_bandwidth = GBPerSecond(300);  // 600 GB/s bidirectional
  a100.nic_bandwidth = GbitPerSecond(200);   // DGX A100: 8x 200 Gb/s HDR
  a100.sm_count = 108;
  a100.source = "NVIDIA A100 Tensor Core GPU datasheet (80GB SXM column); DGX A100 datasheet";
  c.push_back(a100);

  GpuSpec b200;
  b200.name = "B200";
  b200.peak_bf16 = TFlopsPerSecond(2250);    // NVIDIA HGX B200: 36 PF BF16 sparse / 8 GPUs / 2
  b200.peak_fp8 = TFlopsPerSecond(4500);     // same: 72 PF FP8 sparse / 8 / 2
  b200.peak_fp32 = TFlopsPerSecond(75);      // same: 600 TF FP32 / 8
  b200.hbm_capacity = GB(180);               // DGX B200: 1,440 GB / 8
  b200.hbm_bandwidth = TBPerSecond(8);       // HGX B200: 64 TB/s / 8
  b200.nvlink_bandwidth = GBPerSecond(900);  // NVLink 5: 1.8 TB/s bidirectional per GPU
  b200.nic_bandwidth = GbitPerSecond(400);   // DGX B200: 8x CX7 400 Gb/s
  b200.sm_count = 148;
  b200.source = "NVIDIA HGX B200 / DGX B200 datasheets (per-GPU = 8-GPU total / 8)";
  c.push_back(b200);

  return c;
}

}  // namespace

const std::vector<GpuSpec>& gpu_catalog() {
  static const std::vector<GpuSpec> catalog = make_catalog();
  return catalog;
}

const GpuSpec* find_gpu(const std::string& name) {
  for (const auto& g : gpu_catalog())
    if (g.name == name) return &g;
  return nullptr;
}

std::vector<std::string> gpu_names() {
  std::vector<std::string> names;
  for (const auto& g : gpu_catalog()) names.push_back(g.name);
  return names;
}

}  // namespace moesim
