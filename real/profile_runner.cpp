#include "real/profile_runner.h"

#include <unistd.h>

#include <cmath>
#include <ctime>
#include <stdexcept>

#include "kernels/cuda_error.h"
#include "kernels/device_buffer.h"
#include "kernels/device_info.h"
#include "kernels/fp8_layout.h"
#include "kernels/gemm.h"
#include "kernels/grouped_gemm.h"
#include "kernels/mla_attention.h"
#include "kernels/rmsnorm.h"
#include "kernels/swiglu.h"
#include "real/device_fill.h"
#include "real/fp8_operand.h"
#include "real/gpu_timer.h"
#include "real/profile_plan.h"
#ifdef MOESIM_HAVE_NCCL
#include <nccl.h>
#endif

namespace moesim::real {

namespace {

namespace k = moesim::kernels;
using k::Bf16;
using k::DeviceBuffer;

k::LinearPass kernel_pass(LinearPassCode p) {
  return p == LinearPassCode::kForward    ? k::LinearPass::kForward
         : p == LinearPassCode::kDataGrad ? k::LinearPass::kDataGrad
                                          : k::LinearPass::kWeightGrad;
}

std::vector<double> time_gemm(const ProfileCase& c, k::CublasLt& lt, GpuTimer& timer,
                              const TimingOptions& t, cudaStream_t st) {
  const k::GemmShape g = k::linear_gemm_shape(kernel_pass(c.pass), c.tokens, c.in, c.out);
  DeviceBuffer<Bf16> d(g.m * g.n);
  if (c.shape.fp8) {
    Fp8Operand a = fp8_operand(g.m, g.k, g.a, 1, st);
    Fp8Operand b = fp8_operand(g.n, g.k, g.b, 3, st);
    const k::Fp8GemmParams p{a.q.get(), a.s.get(), g.a, b.q.get(), b.s.get(), g.b,
                             d.get(),   k::GemmOutput::kBf16, g.m, g.n, g.k};
    return timer.time([&] { k::run(p, lt, st); }, t.warmup, t.repeats);
  }
  DeviceBuffer<Bf16> a(g.m * g.k), b(g.n * g.k);
  fill_bf16(a.get(), g.m * g.k, 1, st);
  fill_bf16(b.get(), g.n * g.k, 2, st);
  const k::Bf16GemmParams p{a.get(), b.get(), d.get(), k::GemmOutput::kBf16, g.m, g.n, g.k};
  return timer.time([&] { k::run(p, lt, st); }, t.warmup, t.repeats);
}

std::vector<double> time_grouped_gemm(const ProfileCase& c, k::CublasLt& lt, GpuTimer& timer,
                                      const TimingOptions& t, cudaStream_t st) {
  const k::LinearPass pass = kernel_pass(c.pass);
  std::vector<std::int32_t> offsets(c.groups + 1);
  for (int e = 0; e <= c.groups; ++e) offsets[e] = static_cast<std::int32_t>(e * c.tokens);
  const k::GroupedOperandOffsets size =
      k::grouped_operand_offsets(pass, offsets.data(), c.groups, c.in, c.out);
  DeviceBuffer<Bf16> d(size.d);
  if (c.shape.fp8) {
    DeviceBuffer<std::uint8_t> a(size.a), b(size.b);
    DeviceBuffer<float> as(size.a_scales), bs(size.b_scales);
    fill_fp8(a.get(), size.a, 1, st);
    fill_fp8(b.get(), size.b, 3, st);
    fill_f32(as.get(), size.a_scales, 0.5f, 1.0f, 2, st);
    fill_f32(bs.get(), size.b_scales, 0.5f, 1.0f, 4, st);
    k::GroupedFp8GemmParams p;
    p.pass = pass;
    p.experts = c.groups;
    p.row_offsets = offsets.data();
    p.in_features = c.in;
    p.out_features = c.out;
    p.a = a.get();
    p.a_scales = as.get();
    p.b = b.get();
    p.b_scales = bs.get();
    p.d = d.get();
    return timer.time([&] { k::run(p, lt, st); }, t.warmup, t.repeats);
  }
  DeviceBuffer<Bf16> a(size.a), b(size.b);
  fill_bf16(a.get(), size.a, 1, st);
  fill_bf16(b.get(), size.b, 2, st);
  k::GroupedBf16GemmParams p;
  p.pass = pass;
  p.experts = c.groups;
  p.row_offsets = offsets.data();
  p.in_features = c.in;
  p.out_features = c.out;
  p.a = a.get();
  p.b = b.get();
  p.d = d.get();
  return timer.time([&] { k::run(p, lt, st); }, t.warmup, t.repeats);
}

std::vector<double> time_attention(const ProfileCase& c, GpuTimer& timer, const TimingOptions& t,
                                   cudaStream_t st) {
  k::MlaAttentionShape s;
  s.batch = c.batch;
  s.seq = c.seq;
  s.heads = c.heads;
  s.softmax_scale = 1.0f / std::sqrt(static_cast<float>(k::kMlaQkHeadDim));  // V3: d^-0.5
  const std::int64_t rows = s.batch * s.seq * s.heads;
  DeviceBuffer<Bf16> q(rows * s.qk_head_dim), kk(rows * s.qk_head_dim), v(rows * s.v_head_dim),
      o(rows * s.v_head_dim);
  DeviceBuffer<float> lse(k::mla_attention_delta_floats(s));
  fill_bf16(q.get(), rows * s.qk_head_dim, 1, st);
  fill_bf16(kk.get(), rows * s.qk_head_dim, 2, st);
  fill_bf16(v.get(), rows * s.v_head_dim, 3, st);
  const k::MlaAttentionForwardParams f{q.get(), kk.get(), v.get(), o.get(), lse.get(), s};
  if (c.kind == CaseKind::kMlaAttentionForward)
    return timer.time([&] { k::run(f, st); }, t.warmup, t.repeats);
  k::run(f, st);  // O and LSE for the backward
  DeviceBuffer<Bf16> d_o(rows * s.v_head_dim), dq(rows * s.qk_head_dim),
      dk(rows * s.qk_head_dim), dv(rows * s.v_head_dim);
  DeviceBuffer<float> delta(k::mla_attention_delta_floats(s));
  fill_bf16(d_o.get(), rows * s.v_head_dim, 4, st);
  const k::MlaAttentionBackwardParams b{q.get(),  kk.get(),    v.get(),  o.get(),
                                        d_o.get(), lse.get(), delta.get(), dq.get(),
                                        dk.get(),  dv.get(),  s};
  return timer.time([&] { k::run(b, st); }, t.warmup, t.repeats);
}

std::vector<double> time_memory(const ProfileCase& c, GpuTimer& timer, const TimingOptions& t,
                                cudaStream_t st) {
  if (c.kind == CaseKind::kRmsNormForward) {
    DeviceBuffer<Bf16> x(c.rows * c.cols), w(c.cols), y(c.rows * c.cols);
    fill_bf16(x.get(), c.rows * c.cols, 1, st);
    fill_bf16(w.get(), c.cols, 2, st);
    k::RmsNormParams p;
    p.x = x.get();
    p.weight = w.get();
    p.y = y.get();
    p.rows = c.rows;
    p.dim = c.cols;
    return timer.time([&] { k::run(p, st); }, t.warmup, t.repeats);
  }
  DeviceBuffer<Bf16> x(c.rows * 2 * c.cols), y(c.rows * c.cols);
  fill_bf16(x.get(), c.rows * 2 * c.cols, 1, st);
  const k::SwigluParams p{x.get(), y.get(), c.rows, c.cols};
  return timer.time([&] { k::run(p, st); }, t.warmup, t.repeats);
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

}  // namespace

DeviceRecord record_device() {
  const k::DeviceInfo info = k::query_devices();
  if (info.device_count == 0)
    throw std::runtime_error("no GPU: " + info.error +
                             " (moesim-real needs a CUDA device; see docs/real.md)");
  DeviceRecord d;
  d.name = info.name;
  d.sm_count = info.sm_count;
  d.driver_version = info.driver_version;
  d.runtime_version = info.runtime_version;
  k::check_cuda(cudaDeviceGetAttribute(&d.sm_clock_max_khz, cudaDevAttrClockRate, 0),
                "SM clock");
  k::check_cuda(cudaDeviceGetAttribute(&d.mem_clock_max_khz, cudaDevAttrMemoryClockRate, 0),
                "memory clock");
#ifdef MOESIM_HAVE_NCCL
  ncclGetVersion(&d.nccl_version);
#endif
  d.date = utc_now();
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) d.host = host;
  return d;
}

ProfileRun run_profile(const ProfileOptions& o, std::ostream& log) {
  ProfileRun run;
  run.shapes_file = o.shapes;
  run.list = load_profile_shapes(o.shapes);
  run.timing = o.timing;
  const std::vector<ProfileCase> cases = plan_profile(run.list, o.shapes, o.skip_untileable);
  run.device = record_device();
  if (!o.gpu.empty()) {
    run.gpu = o.gpu;
  } else if (auto g = catalog_gpu_for_device(run.device.name)) {
    run.gpu = *g;
  } else {
    throw std::runtime_error("cannot tell which catalog GPU \"" + run.device.name +
                             "\" is (its datasheet peaks divide the efficiencies): pass --gpu "
                             "H800|H100|H200|A100-80GB|B200");
  }
  k::check_cuda(cudaSetDevice(0), "cudaSetDevice(0)");
  cudaStream_t st = nullptr;
  k::check_cuda(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking), "cudaStreamCreate");
  {
    k::CublasLt lt;
    GpuTimer timer(st);
    run.method = timer.method();
    for (const ProfileCase& c : cases) {
      const std::string label = "[" + std::to_string(c.index) + "] " + c.shape.name + " (" +
                                pass_code(c.shape.pass) + ")";
      if (c.kind == CaseKind::kSkip) {
        log << label << ": skipped: " << c.reason << "\n";
        run.skipped.push_back(SkippedShape{c.index, c.shape, c.reason});
        continue;
      }
      try {
        std::vector<double> samples;
        switch (c.kind) {
          case CaseKind::kFp8Gemm:
          case CaseKind::kBf16Gemm: samples = time_gemm(c, lt, timer, o.timing, st); break;
          case CaseKind::kGroupedFp8Gemm:
          case CaseKind::kGroupedBf16Gemm:
            samples = time_grouped_gemm(c, lt, timer, o.timing, st);
            break;
          case CaseKind::kMlaAttentionForward:
          case CaseKind::kMlaAttentionBackward:
            samples = time_attention(c, timer, o.timing, st);
            break;
          case CaseKind::kRmsNormForward:
          case CaseKind::kSwigluForward: samples = time_memory(c, timer, o.timing, st); break;
          case CaseKind::kSkip: break;
        }
        ShapeMeasurement m;
        m.index = c.index;
        m.shape = c.shape;
        m.m = static_cast<double>(c.m);
        m.n = static_cast<double>(c.n);
        m.k = static_cast<double>(c.k);
        m.groups = c.groups;
        m.stats = summarize_timings(samples);
        log << label << ": median " << m.stats.median_s * 1e6 << " us (min "
            << m.stats.min_s * 1e6 << ", max " << m.stats.max_s * 1e6 << ")\n";
        run.measured.push_back(m);
      } catch (const std::exception& e) {  // CudaError, or a kernel's invalid_argument
        log << label << ": failed: " << e.what() << "\n";
        run.skipped.push_back(SkippedShape{c.index, c.shape, std::string("failed: ") + e.what()});
      }
    }
  }
  cudaStreamDestroy(st);
  return run;
}

}  // namespace moesim::real
