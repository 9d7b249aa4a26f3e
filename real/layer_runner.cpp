#include "real/layer_runner.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <stdexcept>

#include "kernels/cuda_error.h"
#include "kernels/device_buffer.h"
#include "kernels/fp8_layout.h"
#include "kernels/gemm.h"
#include "kernels/grouped_gemm.h"
#include "kernels/mla_attention.h"
#include "kernels/moe_gate.h"
#include "kernels/moe_permute.h"
#include "kernels/rmsnorm.h"
#include "kernels/rope.h"
#include "kernels/swiglu.h"
#include "real/device_fill.h"
#include "real/fp8_operand.h"
#include "real/gpu_timer.h"
#include "real/profile_runner.h"

namespace moesim::real {

namespace {

namespace k = moesim::kernels;
using k::Bf16;
using k::DeviceBuffer;

template <typename T>
std::shared_ptr<DeviceBuffer<T>> buffer(std::int64_t n) {
  return std::make_shared<DeviceBuffer<T>>(static_cast<std::size_t>(std::max<std::int64_t>(n, 1)));
}

// The gate's routing on random logits, kept on the device for permute and unpermute and
// on the host (offsets) for the grouped GEMMs.
struct Routing {
  std::shared_ptr<DeviceBuffer<float>> logits, bias, weights;
  std::shared_ptr<DeviceBuffer<std::int32_t>> indices, counts, offsets, slot_rows, row_slots;
  std::vector<std::int32_t> host_offsets;  // [experts + 1], padded segments
  std::int64_t capacity = 0;
  std::int64_t rows_run = 0;
};

k::MoeGateConfig gate_config(const LayerDims& d) {
  k::MoeGateConfig c;
  c.num_experts = d.experts;
  c.num_groups = d.expert_groups;
  c.topk_groups = d.topk_groups;
  c.topk = d.topk;
  return c;
}

k::MoeGateParams gate_params(const LayerDims& d, const Routing& r) {
  return k::MoeGateParams{r.logits->get(), r.bias->get(), d.tokens, gate_config(d),
                          r.indices->get(), r.weights->get()};
}

k::RoutingMapParams routing_params(const LayerDims& d, const Routing& r) {
  k::RoutingMapParams p;
  p.indices = r.indices->get();
  p.tokens = d.tokens;
  p.topk = d.topk;
  p.num_experts = d.experts;
  p.row_alignment = static_cast<int>(k::kFp8TileSize);
  p.counts = r.counts->get();
  p.offsets = r.offsets->get();
  p.slot_rows = r.slot_rows->get();
  p.row_slots = r.row_slots->get();
  p.row_capacity = r.capacity;
  return p;
}

Routing route(const LayerDims& d, LayerRouting& record, cudaStream_t st) {
  Routing r;
  const std::int64_t slots = d.tokens * d.topk;
  r.logits = buffer<float>(d.tokens * d.experts);
  r.bias = buffer<float>(d.experts);
  r.weights = buffer<float>(slots);
  r.indices = buffer<std::int32_t>(slots);
  r.counts = buffer<std::int32_t>(d.experts);
  r.offsets = buffer<std::int32_t>(d.experts + 1);
  r.slot_rows = buffer<std::int32_t>(slots);
  r.capacity = k::permuted_row_capacity(d.tokens, d.topk, d.experts, 128);
  r.row_slots = buffer<std::int32_t>(r.capacity);
  // Logits of a trained gate are not at hand: uniform in [-4, 4), zero bias (balanced on
  // average, as the auxiliary-loss-free bias aims for).
  fill_f32(r.logits->get(), d.tokens * d.experts, -4.0f, 4.0f, 11, st);
  fill_f32(r.bias->get(), d.experts, 0.0f, 0.0f, 12, st);
  k::run(gate_params(d, r), st);
  k::run(routing_params(d, r), st);
  k::check_cuda(cudaStreamSynchronize(st), "the gate's routing");
  r.host_offsets = r.offsets->download();
  const std::vector<std::int32_t> counts = r.counts->download();
  r.rows_run = r.host_offsets.back();
  record.rows_run = r.rows_run;
  record.min_expert_rows = *std::min_element(counts.begin(), counts.end());
  record.max_expert_rows = *std::max_element(counts.begin(), counts.end());
  return r;
}

k::LinearPass kernel_pass(GemmPassCode p) {
  return p == GemmPassCode::kForward    ? k::LinearPass::kForward
         : p == GemmPassCode::kDataGrad ? k::LinearPass::kDataGrad
                                        : k::LinearPass::kWeightGrad;
}

struct Prepared {
  LayerOp op;
  std::int64_t rows_run = 0;
  std::function<void()> launch;  // owns its buffers through the captured shared_ptrs
};

struct Context {
  const LayerDims& d;
  const Routing* routing;  // null for a dense layer
  k::CublasLt& lt;
  cudaStream_t st;
  std::uint32_t seed = 100;
  std::shared_ptr<DeviceBuffer<float>> rope_cos, rope_sin;
  std::shared_ptr<DeviceBuffer<std::int32_t>> positions;

  std::shared_ptr<DeviceBuffer<Bf16>> bf16(std::int64_t n) {
    auto b = buffer<Bf16>(n);
    fill_bf16(b->get(), n, seed++, st);
    return b;
  }
  std::shared_ptr<DeviceBuffer<std::uint8_t>> fp8(std::int64_t n) {
    auto b = buffer<std::uint8_t>(n);
    fill_fp8(b->get(), n, seed++, st);
    return b;
  }
  std::shared_ptr<DeviceBuffer<float>> scales(std::int64_t n) {
    auto b = buffer<float>(n);
    fill_f32(b->get(), n, 0.5f, 1.0f, seed++, st);
    return b;
  }
};

Prepared prepare_gemm(const LayerOp& op, Context& c) {
  Prepared p{op, 0, {}};
  const k::LinearPass pass = kernel_pass(op.gemm);
  const k::GemmOutput out_type = op.fp32_output ? k::GemmOutput::kFloat32 : k::GemmOutput::kBf16;
  const std::int64_t out_bytes = op.fp32_output ? 4 : 2;
  if (op.kernel == LayerKernel::kGroupedFp8Gemm) {
    auto offsets = std::make_shared<std::vector<std::int32_t>>(c.routing->host_offsets);
    const k::GroupedOperandOffsets size =
        k::grouped_operand_offsets(pass, offsets->data(), op.groups, op.in, op.out);
    auto a = c.fp8(size.a), b = c.fp8(size.b);
    auto as = c.scales(size.a_scales), bs = c.scales(size.b_scales);
    auto d = buffer<std::uint8_t>(size.d * out_bytes);
    k::GroupedFp8GemmParams g;
    g.pass = pass;
    g.experts = op.groups;
    g.row_offsets = offsets->data();
    g.in_features = op.in;
    g.out_features = op.out;
    g.a = a->get();
    g.a_scales = as->get();
    g.b = b->get();
    g.b_scales = bs->get();
    g.d = d->get();
    g.d_type = out_type;
    p.rows_run = c.routing->rows_run;
    p.launch = [g, offsets, a, b, as, bs, d, &c] { k::run(g, c.lt, c.st); };
    return p;
  }
  const k::GemmShape s = k::linear_gemm_shape(pass, op.tokens, op.in, op.out);
  auto d = buffer<std::uint8_t>(s.m * s.n * out_bytes);
  if (op.kernel == LayerKernel::kFp8Gemm) {
    auto a = c.fp8(s.m * s.k), b = c.fp8(s.n * s.k);
    auto as = c.scales(fp8_scale_count(s.m, s.k, s.a));
    auto bs = c.scales(fp8_scale_count(s.n, s.k, s.b));
    const k::Fp8GemmParams g{a->get(), as->get(), s.a, b->get(), bs->get(), s.b,
                             d->get(), out_type,  s.m, s.n,      s.k};
    p.launch = [g, a, b, as, bs, d, &c] { k::run(g, c.lt, c.st); };
    return p;
  }
  auto a = c.bf16(s.m * s.k), b = c.bf16(s.n * s.k);
  const k::Bf16GemmParams g{a->get(), b->get(), d->get(), out_type, s.m, s.n, s.k};
  p.launch = [g, a, b, d, &c] { k::run(g, c.lt, c.st); };
  return p;
}

Prepared prepare_attention(const LayerOp& op, Context& c) {
  Prepared p{op, 0, {}};
  k::MlaAttentionShape s;
  s.batch = op.batch;
  s.seq = op.seq;
  s.heads = op.heads;
  s.softmax_scale = 1.0f / std::sqrt(static_cast<float>(k::kMlaQkHeadDim));  // V3: d^-0.5
  const std::int64_t rows = s.batch * s.seq * s.heads;
  auto q = c.bf16(rows * s.qk_head_dim), kk = c.bf16(rows * s.qk_head_dim),
       v = c.bf16(rows * s.v_head_dim);
  auto o = buffer<Bf16>(rows * s.v_head_dim);
  auto lse = buffer<float>(k::mla_attention_delta_floats(s));
  const k::MlaAttentionForwardParams f{q->get(), kk->get(), v->get(), o->get(), lse->get(), s};
  if (op.kernel == LayerKernel::kMlaAttention) {
    p.launch = [f, q, kk, v, o, lse, &c] { k::run(f, c.st); };
    return p;
  }
  k::run(f, c.st);  // O and LSE for the backward
  auto d_o = c.bf16(rows * s.v_head_dim);
  auto dq = buffer<Bf16>(rows * s.qk_head_dim), dk = buffer<Bf16>(rows * s.qk_head_dim),
       dv = buffer<Bf16>(rows * s.v_head_dim);
  auto delta = buffer<float>(k::mla_attention_delta_floats(s));
  const k::MlaAttentionBackwardParams b{q->get(),  kk->get(),    v->get(),  o->get(),
                                        d_o->get(), lse->get(), delta->get(), dq->get(),
                                        dk->get(),  dv->get(),  s};
  p.launch = [b, q, kk, v, o, lse, d_o, dq, dk, dv, delta, &c] { k::run(b, c.st); };
  return p;
}

Prepared prepare_rope(const LayerOp& op, Context& c) {
  Prepared p{op, 0, {}};
  k::RopeShape s;
  s.tokens = op.rows;
  s.heads = op.heads;
  s.token_stride = op.token_stride;
  s.head_stride = op.head_stride;
  s.rope_offset = op.rope_offset;
  s.rope_dim = static_cast<int>(c.d.qk_rope_head_dim);
  auto x = c.bf16(s.tokens * s.token_stride);
  if (op.kernel == LayerKernel::kRope) {
    const k::RopeParams r{x->get(), s, c.positions->get(), c.rope_cos->get(), c.rope_sin->get(),
                          c.d.seq};
    p.launch = [r, x, &c] { k::run(r, c.st); };
  } else {
    const k::RopeBackwardParams r{x->get(), s, c.positions->get(), c.rope_cos->get(),
                                  c.rope_sin->get(), c.d.seq};
    p.launch = [r, x, &c] { k::run(r, c.st); };
  }
  return p;
}

Prepared prepare_memory(const LayerOp& op, Context& c) {
  Prepared p{op, 0, {}};
  // The routed experts' SwiGLU runs over the permuted rows the routing produced.
  const std::int64_t rows =
      op.name == "moe.experts.swiglu" ? c.routing->rows_run : op.rows;
  p.rows_run = op.name == "moe.experts.swiglu" ? rows : 0;
  switch (op.kernel) {
    case LayerKernel::kRmsNorm: {
      auto x = c.bf16(rows * op.cols), w = c.bf16(op.cols);
      auto y = buffer<Bf16>(rows * op.cols);
      k::RmsNormParams r;
      r.x = x->get();
      r.weight = w->get();
      r.y = y->get();
      r.rows = rows;
      r.dim = op.cols;
      p.launch = [r, x, w, y, &c] { k::run(r, c.st); };
      break;
    }
    case LayerKernel::kRmsNormBackward: {
      auto x = c.bf16(rows * op.cols), w = c.bf16(op.cols), dy = c.bf16(rows * op.cols);
      auto dx = buffer<Bf16>(rows * op.cols);
      auto dw = buffer<float>(op.cols), inv = buffer<float>(rows);
      k::RmsNormBackwardParams r;
      r.x = x->get();
      r.weight = w->get();
      r.dy = dy->get();
      r.dx = dx->get();
      r.dweight = dw->get();
      r.inv_rms = inv->get();
      r.rows = rows;
      r.dim = op.cols;
      p.launch = [r, x, w, dy, dx, dw, inv, &c] { k::run(r, c.st); };
      break;
    }
    case LayerKernel::kSwiglu: {
      auto x = c.bf16(rows * 2 * op.cols);
      auto y = buffer<Bf16>(rows * op.cols);
      const k::SwigluParams s{x->get(), y->get(), rows, op.cols};
      p.launch = [s, x, y, &c] { k::run(s, c.st); };
      break;
    }
    case LayerKernel::kSwigluBackward: {
      auto x = c.bf16(rows * 2 * op.cols), dy = c.bf16(rows * op.cols);
      auto dx = buffer<Bf16>(rows * 2 * op.cols);
      const k::SwigluBackwardParams s{x->get(), dy->get(), dx->get(), rows, op.cols};
      p.launch = [s, x, dy, dx, &c] { k::run(s, c.st); };
      break;
    }
    case LayerKernel::kMoeGate: {
      const k::MoeGateParams g = gate_params(c.d, *c.routing);
      p.launch = [g, &c] { k::run(g, c.st); };
      break;
    }
    case LayerKernel::kRoutingMap: {
      const k::RoutingMapParams r = routing_params(c.d, *c.routing);
      p.launch = [r, &c] { k::run(r, c.st); };
      break;
    }
    case LayerKernel::kPermute: {
      const Routing& rt = *c.routing;
      auto x = c.bf16(c.d.tokens * op.cols);
      auto out = buffer<Bf16>(rt.rows_run * op.cols);
      const k::PermuteParams r{x->get(), op.cols, c.d.topk, rt.row_slots->get(), rt.rows_run,
                               out->get()};
      p.rows_run = rt.rows_run;
      p.launch = [r, x, out, &c] { k::run(r, c.st); };
      break;
    }
    case LayerKernel::kUnpermute: {
      const Routing& rt = *c.routing;
      auto e = c.bf16(rt.rows_run * op.cols);
      auto y = buffer<Bf16>(c.d.tokens * op.cols);
      std::shared_ptr<DeviceBuffer<float>> weights = rt.weights;
      if (op.unit_weights) {  // permute's backward: each token sums its slots' gradients
        weights = buffer<float>(c.d.tokens * c.d.topk);
        fill_f32(weights->get(), c.d.tokens * c.d.topk, 1.0f, 1.0f, c.seed++, c.st);
      }
      const k::UnpermuteParams r{e->get(), op.cols, rt.slot_rows->get(), weights->get(),
                                 c.d.tokens, c.d.topk, y->get()};
      p.rows_run = rt.rows_run;
      p.launch = [r, e, y, weights, &c] { k::run(r, c.st); };
      break;
    }
    default: throw std::logic_error("prepare_memory: not a memory op: " + op.name);
  }
  return p;
}

Prepared prepare(const LayerOp& op, Context& c) {
  switch (op.kernel) {
    case LayerKernel::kFp8Gemm:
    case LayerKernel::kBf16Gemm:
    case LayerKernel::kGroupedFp8Gemm: return prepare_gemm(op, c);
    case LayerKernel::kMlaAttention:
    case LayerKernel::kMlaAttentionBackward: return prepare_attention(op, c);
    case LayerKernel::kRope:
    case LayerKernel::kRopeBackward: return prepare_rope(op, c);
    default: return prepare_memory(op, c);
  }
}

std::string op_label(const LayerOp& op) {
  return std::string(op.name) + " (" + layer_pass_code(op.pass) + ", " +
         layer_kernel_name(op.kernel) + ")";
}

}  // namespace

LayerRun run_layer(const LayerOptions& o, std::ostream& log) {
  LayerRun run;
  run.dims = layer_dims(o.kind, o.scale, o.tokens);
  run.timing = o.timing;
  const std::vector<LayerOp> plan = plan_layer(run.dims);
  run.skipped = skipped_ops(plan);
  run.device = record_device();
  k::check_cuda(cudaSetDevice(0), "cudaSetDevice(0)");
  cudaStream_t st = nullptr;
  k::check_cuda(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking), "cudaStreamCreate");
  try {
    k::CublasLt lt;
    GpuTimer timer(st);
    run.method = timer.method() + "; a pass is one event pair around all its ops in order";
    const LayerDims& d = run.dims;
    std::unique_ptr<Routing> routing;
    if (d.kind == LayerKindOption::kMoe) {
      LayerRouting rec;
      routing = std::make_unique<Routing>(route(d, rec, st));
      run.routing = rec;
      log << "routing: " << rec.rows_run << " permuted rows (padded), " << rec.min_expert_rows
          << ".." << rec.max_expert_rows << " slots per expert\n";
    }
    Context c{d, routing.get(), lt, st, 100, nullptr, nullptr, nullptr};
    const k::RopeTables tables = k::make_rope_tables(d.seq, static_cast<int>(d.qk_rope_head_dim));
    c.rope_cos = std::make_shared<DeviceBuffer<float>>(tables.cos);
    c.rope_sin = std::make_shared<DeviceBuffer<float>>(tables.sin);
    std::vector<std::int32_t> pos(d.tokens);
    for (std::int64_t t = 0; t < d.tokens; ++t) pos[t] = static_cast<std::int32_t>(t % d.seq);
    c.positions = std::make_shared<DeviceBuffer<std::int32_t>>(pos);

    for (LayerPass pass :
         {LayerPass::kForward, LayerPass::kBackwardInput, LayerPass::kBackwardWeight}) {
      std::vector<Prepared> ops;
      for (const LayerOp& op : plan) {
        if (op.pass != pass || op.kernel == LayerKernel::kNone) continue;
        try {
          ops.push_back(prepare(op, c));
        } catch (const std::exception& e) {
          throw std::runtime_error(op_label(op) + ": " + e.what() +
                                   " (a smaller --scale or --tokens needs less memory)");
        }
      }
      for (const Prepared& p : ops) {
        try {
          LayerOpTiming t{p.op, summarize_timings(timer.time(p.launch, o.timing.warmup,
                                                             o.timing.repeats)),
                          p.rows_run};
          log << op_label(p.op) << ": median " << t.stats.median_s * 1e6 << " us\n";
          run.ops.push_back(t);
        } catch (const std::exception& e) {
          throw std::runtime_error(op_label(p.op) + ": " + e.what());
        }
      }
      const TimingStats whole = summarize_timings(timer.time(
          [&] {
            for (const Prepared& p : ops) p.launch();
          },
          o.timing.warmup, o.timing.repeats));
      log << "pass " << layer_pass_code(pass) << ": median " << whole.median_s * 1e6 << " us ("
          << ops.size() << " ops)\n";
      (pass == LayerPass::kForward          ? run.fwd
       : pass == LayerPass::kBackwardInput ? run.bwd_input
                                            : run.bwd_weight) = whole;
    }  // the pass's buffers are freed here
  } catch (...) {
    cudaStreamDestroy(st);
    throw;
  }
  cudaStreamDestroy(st);
  return run;
}

}  // namespace moesim::real
