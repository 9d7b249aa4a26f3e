#include "real/overlap_runner.h"

#include <stdexcept>

#include "kernels/cuda_error.h"
#include "kernels/gemm.h"
#include "real/fp8_operand.h"
#include "real/gpu_timer.h"
#include "real/overlap_hog.h"
#include "real/profile_runner.h"
#include "real/timing_stats.h"

namespace moesim::real {

namespace k = moesim::kernels;

OverlapRun run_overlap(const OverlapOptions& o, std::ostream& log) {
  const DeviceRecord dev = record_device();
  if (o.comm_sms >= dev.sm_count)
    throw std::runtime_error("--comm-sms " + std::to_string(o.comm_sms) + " leaves none of " +
                             dev.name + "'s " + std::to_string(dev.sm_count) +
                             " SMs to the GEMM");
  k::check_cuda(cudaSetDevice(0), "cudaSetDevice(0)");
  cudaStream_t st = nullptr, cs = nullptr;
  k::check_cuda(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking), "cudaStreamCreate");
  k::check_cuda(cudaStreamCreateWithFlags(&cs, cudaStreamNonBlocking), "cudaStreamCreate");
  OverlapRun run;
  run.device = dev.name + ", driver " + std::to_string(dev.driver_version) + ", " + dev.date;
  OverlapTiming& t = run.timing;
  t.sm_count = dev.sm_count;
  t.comm_sms = o.comm_sms;
  t.comm_gbps = o.comm_gbps;
  try {
    // V3's attention output projection at 4K tokens: 16384 -> 7168 (DeepGEMM's largest
    // published shape, m 4096 n 7168 k 16384).
    const k::GemmShape g = k::linear_gemm_shape(k::LinearPass::kForward, 4096, 16384, 7168);
    t.m = static_cast<double>(g.m);
    t.n = static_cast<double>(g.n);
    t.k = static_cast<double>(g.k);
    k::CublasLt lt;
    Fp8Operand a = fp8_operand(g.m, g.k, g.a, 1, st);
    Fp8Operand b = fp8_operand(g.n, g.k, g.b, 3, st);
    k::DeviceBuffer<k::Bf16> d(g.m * g.n);
    const k::Fp8GemmParams p{a.q.get(), a.s.get(), g.a, b.q.get(), b.s.get(), g.b,
                             d.get(),   k::GemmOutput::kBf16, g.m, g.n, g.k};
    GpuTimer timer(st);
    auto gemm = [&] { k::run(p, lt, st); };
    t.alone_s = summarize_timings(timer.time(gemm, o.timing.warmup, o.timing.repeats)).median_s;
    log << "GEMM alone: median " << t.alone_s * 1e6 << " us\n";
    CommHog hog(o.comm_sms, o.comm_gbps, std::size_t{256} << 20);
    hog.start(cs);
    t.shared_s = summarize_timings(timer.time(gemm, o.timing.warmup, o.timing.repeats)).median_s;
    double moved = 0, secs = 0;
    hog.stop(st, cs, &moved, &secs);
    t.achieved_gbps = secs > 0 ? moved / secs / 1e9 : 0;
    log << "GEMM beside a copy on " << o.comm_sms << " SMs (" << t.achieved_gbps
        << " GB/s of HBM): median " << t.shared_s * 1e6 << " us; SM share alone would give "
        << t.alone_s * t.sm_count / (t.sm_count - t.comm_sms) * 1e6
        << " us; compute_slowdown " << compute_slowdown(t) << "\n";
  } catch (...) {
    cudaStreamDestroy(st);
    cudaStreamDestroy(cs);
    throw;
  }
  cudaStreamDestroy(st);
  cudaStreamDestroy(cs);
  return run;
}

}  // namespace moesim::real
