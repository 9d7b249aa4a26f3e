#include "kernels/bench/bench_cases.h"

#include <algorithm>
#include <cstdint>
#include <exception>

#include "kernels/device_buffer.h"
#include "kernels/fp8_layout.h"
#include "kernels/fp8_quantize.h"
#include "kernels/grouped_gemm.h"
#include "kernels/mla_attention.h"
#include "kernels/moe_gate.h"
#include "kernels/moe_permute.h"
#include "kernels/rmsnorm.h"
#include "kernels/rope.h"
#include "kernels/swiglu.h"

namespace moesim::kernels::bench {
namespace {

using I64 = std::int64_t;

// Deterministic inputs (SplitMix64): never zeros, which can run faster than real data.
class Fill {
 public:
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * static_cast<float>(next() >> 40) * 0x1p-24f;
  }

 private:
  std::uint64_t state_ = 2024;
};

std::vector<Bf16> bf16_values(std::size_t n, Fill& f, float range) {
  std::vector<Bf16> v(n);
  for (auto& x : v) x = to_bf16(f.uniform(-range, range));
  return v;
}

std::vector<std::uint8_t> e4m3_codes(std::size_t n, Fill& f) {
  std::vector<std::uint8_t> v(n);
  for (auto& x : v) {
    x = static_cast<std::uint8_t>(f.next() & 0xFF);
    if ((x & 0x7F) == 0x7F) x = 0x7E;  // no NaN codes
  }
  return v;
}

std::vector<float> floats(std::size_t n, Fill& f, float lo, float hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = f.uniform(lo, hi);
  return v;
}

// How many copies of a case's inputs to rotate through so that they overflow L2.
int input_sets(const BenchOptions& o, double set_bytes) {
  const double need = 3.0 * static_cast<double>(o.l2_bytes) / std::max(set_bytes, 1.0);
  return std::clamp(static_cast<int>(need) + 1, 1, 8);
}

template <typename T>
std::vector<DeviceBuffer<T>> copies(const std::vector<T>& host, int n) {
  std::vector<DeviceBuffer<T>> v;
  for (int i = 0; i < n; ++i) v.emplace_back(host);
  return v;
}

std::string mnk(I64 m, I64 n, I64 k) {
  return "m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k);
}

// Runs `launch` under the timer, or records why it cannot run.
BenchRow timed(BenchRow row, const Support& s, const BenchOptions& o,
               const std::function<void(int)>& launch) {
  if (!s.ok()) {
    row.error = s.reason;
    return row;
  }
  try {
    row.timing = time_launches(launch, o.warmup, o.repeats, o.stream);
  } catch (const std::exception& e) {
    row.error = e.what();
  }
  return row;
}

BenchRow fp8_gemm_case(const BenchOptions& o, const std::string& pass_name, const GemmShape& s) {
  BenchRow row{"fp8_gemm." + pass_name,
               mnk(s.m, s.n, s.k),
               {},
               2.0 * s.m * s.n * s.k,
               static_cast<double>(s.m * s.k + s.n * s.k + 2 * s.m * s.n),
               ""};
  Fp8GemmParams p{nullptr, nullptr,           s.a, nullptr, nullptr, s.b,
                  nullptr, GemmOutput::kBf16, s.m, s.n,     s.k};
  // Shape check first, with stand-in aligned pointers, so that untileable shapes report.
  alignas(16) static float stand_in[4];
  Fp8GemmParams probe = p;
  probe.a = probe.b = reinterpret_cast<const std::uint8_t*>(stand_in);
  probe.a_scales = probe.b_scales = stand_in;
  probe.d = stand_in;
  if (!can_implement(probe).ok()) return timed(row, can_implement(probe), o, nullptr);
  Fill f;
  const auto scale_count = [](Fp8Granularity g, I64 rows, I64 k) {
    return static_cast<std::size_t>(g == Fp8Granularity::kTile1x128
                                        ? activation_scale_count(rows, k)
                                        : weight_scale_count(rows, k));
  };
  const int sets = input_sets(o, row.bytes);
  auto a = copies(e4m3_codes(static_cast<std::size_t>(s.m * s.k), f), sets);
  auto b = copies(e4m3_codes(static_cast<std::size_t>(s.n * s.k), f), sets);
  auto sa = copies(floats(scale_count(s.a, s.m, s.k), f, 0.5f, 2.0f), sets);
  auto sb = copies(floats(scale_count(s.b, s.n, s.k), f, 0.5f, 2.0f), sets);
  DeviceBuffer<Bf16> d(static_cast<std::size_t>(s.m * s.n));
  const auto params = [&](int i) {
    Fp8GemmParams q = p;
    q.a = a[i % sets].get(), q.a_scales = sa[i % sets].get();
    q.b = b[i % sets].get(), q.b_scales = sb[i % sets].get();
    q.d = d.get();
    return q;
  };
  return timed(row, can_implement(params(0)), o, [&](int i) { run(params(i), *o.lt, o.stream); });
}

BenchRow bf16_gemm_case(const BenchOptions& o, I64 m, I64 n, I64 k) {
  BenchRow row{"bf16_gemm.forward",
               mnk(m, n, k),
               {},
               2.0 * m * n * k,
               2.0 * static_cast<double>(m * k + n * k + m * n),
               ""};
  Fill f;
  const int sets = input_sets(o, row.bytes);
  auto a = copies(bf16_values(static_cast<std::size_t>(m * k), f, 1.0f), sets);
  auto b = copies(bf16_values(static_cast<std::size_t>(n * k), f, 0.05f), sets);
  DeviceBuffer<Bf16> d(static_cast<std::size_t>(m * n));
  const auto params = [&](int i) {
    return Bf16GemmParams{
        a[i % sets].get(), b[i % sets].get(), d.get(), GemmOutput::kBf16, m, n, k};
  };
  return timed(row, can_implement(params(0)), o, [&](int i) { run(params(i), *o.lt, o.stream); });
}

BenchRow quantize_case(const BenchOptions& o, bool weights, I64 rows, I64 cols) {
  BenchRow row{weights ? "quantize_weights" : "quantize_activations",
               std::to_string(rows) + "x" + std::to_string(cols),
               {},
               0.0,
               3.0 * static_cast<double>(rows * cols),
               ""};
  Fill f;
  const int sets = input_sets(o, row.bytes);
  auto x = copies(bf16_values(static_cast<std::size_t>(rows * cols), f, 4.0f), sets);
  DeviceBuffer<std::uint8_t> q(static_cast<std::size_t>(rows * cols));
  DeviceBuffer<float> s(static_cast<std::size_t>(
      std::max(activation_scale_count(rows, cols), weight_scale_count(rows, cols))));
  if (weights) {
    const auto params = [&](int i) {
      return QuantizeWeightsParams{x[i % sets].get(), rows, cols, q.get(), s.get(), false};
    };
    return timed(row, can_implement(params(0)), o, [&](int i) { run(params(i), o.stream); });
  }
  const auto params = [&](int i) {
    return QuantizeActivationsParams{x[i % sets].get(), rows, cols, q.get(), s.get(), false};
  };
  return timed(row, can_implement(params(0)), o, [&](int i) { run(params(i), o.stream); });
}

BenchRow rmsnorm_case(const BenchOptions& o, I64 rows, I64 dim) {
  BenchRow row{"rmsnorm",
               std::to_string(rows) + "x" + std::to_string(dim),
               {},
               0.0,
               4.0 * static_cast<double>(rows * dim),
               ""};
  Fill f;
  const int sets = input_sets(o, row.bytes);
  auto x = copies(bf16_values(static_cast<std::size_t>(rows * dim), f, 2.0f), sets);
  DeviceBuffer<Bf16> w(bf16_values(static_cast<std::size_t>(dim), f, 1.0f));
  DeviceBuffer<Bf16> y(static_cast<std::size_t>(rows * dim));
  const auto params = [&](int i) {
    return RmsNormParams{x[i % sets].get(), w.get(), y.get(), rows, dim, 1e-6f};
  };
  return timed(row, can_implement(params(0)), o, [&](int i) { run(params(i), o.stream); });
}

BenchRow swiglu_case(const BenchOptions& o, I64 rows, I64 inter) {
  BenchRow row{"swiglu",
               std::to_string(rows) + "x" + std::to_string(inter),
               {},
               0.0,
               6.0 * static_cast<double>(rows * inter),
               ""};
  Fill f;
  const int sets = input_sets(o, row.bytes);
  auto x = copies(bf16_values(static_cast<std::size_t>(rows * 2 * inter), f, 3.0f), sets);
  DeviceBuffer<Bf16> y(static_cast<std::size_t>(rows * inter));
  const auto params = [&](int i) { return SwigluParams{x[i % sets].get(), y.get(), rows, inter}; };
  return timed(row, can_implement(params(0)), o, [&](int i) { run(params(i), o.stream); });
}

// The routed experts' grouped GEMM: `groups` local experts with `rows_per_group` rows each
// (DeepGEMM's contiguous-layout table, published-figures.md §10.2), one Linear in -> out.
BenchRow grouped_gemm_case(const BenchOptions& o, LinearPass pass, const std::string& pass_name,
                           int groups, I64 rows_per_group, I64 in, I64 out) {
  std::vector<std::int32_t> offsets(static_cast<std::size_t>(groups) + 1);
  for (int e = 0; e <= groups; ++e)
    offsets[static_cast<std::size_t>(e)] = static_cast<std::int32_t>(e * rows_per_group);
  const GroupedOperandOffsets size = grouped_operand_offsets(pass, offsets.data(), groups, in, out);
  const GemmShape one = linear_gemm_shape(pass, rows_per_group, in, out);
  BenchRow row{"grouped_fp8_gemm." + pass_name,
               std::to_string(groups) + " groups x " + mnk(one.m, one.n, one.k),
               {},
               2.0 * groups * one.m * one.n * one.k,
               static_cast<double>(size.a + size.b + 2 * size.d),
               ""};
  Fill f;
  const int sets = input_sets(o, row.bytes);
  auto a = copies(e4m3_codes(static_cast<std::size_t>(size.a), f), sets);
  auto b = copies(e4m3_codes(static_cast<std::size_t>(size.b), f), sets);
  auto sa = copies(floats(static_cast<std::size_t>(size.a_scales), f, 0.5f, 2.0f), sets);
  auto sb = copies(floats(static_cast<std::size_t>(size.b_scales), f, 0.5f, 2.0f), sets);
  DeviceBuffer<Bf16> d(static_cast<std::size_t>(size.d));
  const auto params = [&](int i) {
    return GroupedFp8GemmParams{pass,
                                groups,
                                offsets.data(),
                                in,
                                out,
                                a[i % sets].get(),
                                sa[i % sets].get(),
                                b[i % sets].get(),
                                sb[i % sets].get(),
                                d.get(),
                                GemmOutput::kBf16};
  };
  return timed(row, can_implement(params(0)), o, [&](int i) { run(params(i), *o.lt, o.stream); });
}

// MLA attention at V3's pre-training shape. FLOPs are the algorithm's, causal (half the
// score matrix): forward 2 s^2 h (192 + 128) / 2; backward 2 s^2 h (192 [recomputed S] +
// 128 [dP] + 128 [dV] + 192 [dQ] + 192 [dK]) / 2. The backward kernels recompute S twice
// (once for dK/dV, once for dQ), which the count leaves out.
std::vector<BenchRow> attention_cases(const BenchOptions& o, I64 seq, I64 heads) {
  // Softmax scale 192^-0.5, V3's qk_head_dim^-0.5 before YaRN (4K pre-training).
  const MlaAttentionShape s{1, seq, heads, kMlaQkHeadDim, kMlaVHeadDim, true, 0.0721687836f};
  const I64 tokens = s.batch * seq * heads;  // (token, head) rows
  const double pairs = static_cast<double>(seq) * static_cast<double>(seq) * heads;
  const std::string shape = "seq " + std::to_string(seq) + " x " + std::to_string(heads) + " heads";
  Fill f;
  DeviceBuffer<Bf16> q(bf16_values(static_cast<std::size_t>(tokens * kMlaQkHeadDim), f, 1.0f));
  DeviceBuffer<Bf16> k(bf16_values(static_cast<std::size_t>(tokens * kMlaQkHeadDim), f, 1.0f));
  DeviceBuffer<Bf16> v(bf16_values(static_cast<std::size_t>(tokens * kMlaVHeadDim), f, 1.0f));
  DeviceBuffer<Bf16> d_o(bf16_values(static_cast<std::size_t>(tokens * kMlaVHeadDim), f, 1.0f));
  DeviceBuffer<Bf16> out(static_cast<std::size_t>(tokens * kMlaVHeadDim));
  DeviceBuffer<Bf16> dq(static_cast<std::size_t>(tokens * kMlaQkHeadDim)),
      dk(static_cast<std::size_t>(tokens * kMlaQkHeadDim)),
      dv(static_cast<std::size_t>(tokens * kMlaVHeadDim));
  DeviceBuffer<float> lse(static_cast<std::size_t>(mla_attention_delta_floats(s))),
      delta(static_cast<std::size_t>(mla_attention_delta_floats(s)));
  const double qkv_bytes = 2.0 * tokens * (2 * kMlaQkHeadDim + kMlaVHeadDim);
  const MlaAttentionForwardParams fwd{q.get(), k.get(), v.get(), out.get(), lse.get(), s};
  std::vector<BenchRow> rows;
  rows.push_back(timed(BenchRow{"mla_attention.forward",
                                shape,
                                {},
                                pairs * (192 + 128),
                                qkv_bytes + 2.0 * tokens * kMlaVHeadDim + 4.0 * tokens,
                                ""},
                       can_implement(fwd), o, [&](int) { run(fwd, o.stream); }));
  const MlaAttentionBackwardParams bwd{q.get(),   k.get(),     v.get(),  out.get(), d_o.get(),
                                       lse.get(), delta.get(), dq.get(), dk.get(),  dv.get(),
                                       s};
  if (rows.back().error.empty()) run(fwd, o.stream);  // O and LSE for the backward
  rows.push_back(timed(BenchRow{"mla_attention.backward",
                                shape,
                                {},
                                pairs * (192 + 128 + 128 + 192 + 192),
                                2.0 * qkv_bytes + 4.0 * tokens * kMlaVHeadDim + 4.0 * tokens,
                                ""},
                       can_implement(bwd), o, [&](int) { run(bwd, o.stream); }));
  return rows;
}

BenchRow rmsnorm_backward_case(const BenchOptions& o, I64 rows, I64 dim) {
  BenchRow row{"rmsnorm.backward",
               std::to_string(rows) + "x" + std::to_string(dim),
               {},
               0.0,
               6.0 * static_cast<double>(rows * dim),  // x, dy in; dx out (dweight reads again)
               ""};
  Fill f;
  const int sets = input_sets(o, row.bytes);
  auto x = copies(bf16_values(static_cast<std::size_t>(rows * dim), f, 2.0f), sets);
  auto dy = copies(bf16_values(static_cast<std::size_t>(rows * dim), f, 1.0f), sets);
  DeviceBuffer<Bf16> w(bf16_values(static_cast<std::size_t>(dim), f, 1.0f));
  DeviceBuffer<Bf16> dx(static_cast<std::size_t>(rows * dim));
  DeviceBuffer<float> dw(static_cast<std::size_t>(dim)), inv(static_cast<std::size_t>(rows));
  const auto params = [&](int i) {
    return RmsNormBackwardParams{x[i % sets].get(),
                                 w.get(),
                                 dy[i % sets].get(),
                                 dx.get(),
                                 dw.get(),
                                 inv.get(),
                                 rows,
                                 dim,
                                 1e-6f};
  };
  return timed(row, can_implement(params(0)), o, [&](int i) { run(params(i), o.stream); });
}

BenchRow swiglu_backward_case(const BenchOptions& o, I64 rows, I64 inter) {
  BenchRow row{"swiglu.backward",
               std::to_string(rows) + "x" + std::to_string(inter),
               {},
               0.0,
               10.0 * static_cast<double>(rows * inter),  // x (2), dy in; dx (2) out
               ""};
  Fill f;
  const int sets = input_sets(o, row.bytes);
  auto x = copies(bf16_values(static_cast<std::size_t>(rows * 2 * inter), f, 3.0f), sets);
  auto dy = copies(bf16_values(static_cast<std::size_t>(rows * inter), f, 1.0f), sets);
  DeviceBuffer<Bf16> dx(static_cast<std::size_t>(rows * 2 * inter));
  const auto params = [&](int i) {
    return SwigluBackwardParams{x[i % sets].get(), dy[i % sets].get(), dx.get(), rows, inter};
  };
  return timed(row, can_implement(params(0)), o, [&](int i) { run(params(i), o.stream); });
}

BenchRow rope_case(const BenchOptions& o, const std::string& name, const RopeShape& s,
                   bool backward = false) {
  const I64 elements = s.tokens * s.heads * s.rope_dim;
  BenchRow row{name,
               std::to_string(s.tokens) + " tokens x " + std::to_string(s.heads) + " heads",
               {},
               0.0,
               4.0 * static_cast<double>(elements),
               ""};
  Fill f;
  const RopeTables tables = make_rope_tables(4096, s.rope_dim);
  DeviceBuffer<float> cos(tables.cos), sin(tables.sin);
  std::vector<std::int32_t> pos(static_cast<std::size_t>(s.tokens));
  for (auto& p : pos) p = static_cast<std::int32_t>(f.next() % 4096);
  DeviceBuffer<std::int32_t> dpos(pos);
  const int sets = input_sets(o, row.bytes);
  auto x = copies(bf16_values(static_cast<std::size_t>(s.tokens * s.token_stride), f, 2.0f), sets);
  if (backward) {
    const auto params = [&](int i) {
      return RopeBackwardParams{x[i % sets].get(), s,         dpos.get(),
                                cos.get(),         sin.get(), tables.max_positions};
    };
    return timed(row, can_implement(params(0)), o, [&](int i) { run(params(i), o.stream); });
  }
  const auto params = [&](int i) {
    return RopeParams{x[i % sets].get(), s, dpos.get(), cos.get(), sin.get(), tables.max_positions};
  };
  return timed(row, can_implement(params(0)), o, [&](int i) { run(params(i), o.stream); });
}

BenchRow gate_case(const BenchOptions& o, I64 tokens) {
  const MoeGateConfig c;
  BenchRow row{"moe_gate", std::to_string(tokens) + " tokens x 256 experts",  {},
               0.0,        4.0 * static_cast<double>(tokens * c.num_experts), ""};
  Fill f;
  const int sets = input_sets(o, row.bytes);
  auto logits =
      copies(floats(static_cast<std::size_t>(tokens * c.num_experts), f, -4.0f, 4.0f), sets);
  DeviceBuffer<float> bias(floats(static_cast<std::size_t>(c.num_experts), f, -0.02f, 0.02f));
  DeviceBuffer<std::int32_t> idx(static_cast<std::size_t>(tokens * c.topk));
  DeviceBuffer<float> w(static_cast<std::size_t>(tokens * c.topk));
  const auto params = [&](int i) {
    return MoeGateParams{logits[i % sets].get(), bias.get(), tokens, c, idx.get(), w.get()};
  };
  return timed(row, can_implement(params(0)), o, [&](int i) { run(params(i), o.stream); });
}

// Routing map, permutation and un-permutation of one batch routed uniformly at random.
std::vector<BenchRow> permute_cases(const BenchOptions& o, I64 tokens, I64 hidden) {
  const int topk = 8, experts = 256, alignment = 128;
  Fill f;
  std::vector<std::int32_t> indices(static_cast<std::size_t>(tokens * topk));
  for (auto& e : indices) e = static_cast<std::int32_t>(f.next() % experts);
  DeviceBuffer<std::int32_t> di(indices);
  const I64 capacity = permuted_row_capacity(tokens, topk, experts, alignment);
  DeviceBuffer<std::int32_t> counts(experts), offsets(experts + 1), slot_rows(indices.size()),
      row_slots(static_cast<std::size_t>(capacity));
  const RoutingMapParams map{di.get(),        tokens,       topk,          experts,
                             alignment,       counts.get(), offsets.get(), slot_rows.get(),
                             row_slots.get(), capacity};
  const std::string shape =
      std::to_string(tokens) + " tokens x top-8, hidden " + std::to_string(hidden);
  std::vector<BenchRow> rows;
  rows.push_back(timed(BenchRow{"routing_map", shape, {}, 0.0, 8.0 * indices.size(), ""},
                       can_implement(map), o, [&](int) { run(map, o.stream); }));
  DeviceBuffer<Bf16> x(bf16_values(static_cast<std::size_t>(tokens * hidden), f, 2.0f));
  DeviceBuffer<Bf16> permuted(static_cast<std::size_t>(capacity * hidden));
  DeviceBuffer<float> w(floats(indices.size(), f, 0.0f, 0.4f));
  DeviceBuffer<Bf16> y(static_cast<std::size_t>(tokens * hidden));
  if (!rows.back().error.empty()) return rows;
  run(map, o.stream);
  check_cuda(cudaStreamSynchronize(o.stream), "routing map");
  const std::vector<std::int32_t> used = offsets.download();
  const PermuteParams permute{x.get(), hidden, topk, row_slots.get(), used.back(), permuted.get()};
  rows.push_back(timed(BenchRow{"permute", shape, {}, 0.0, 4.0 * used.back() * hidden, ""},
                       can_implement(permute), o, [&](int) { run(permute, o.stream); }));
  const UnpermuteParams unpermute{permuted.get(), hidden, slot_rows.get(), w.get(),
                                  tokens,         topk,   y.get()};
  rows.push_back(
      timed(BenchRow{"unpermute", shape, {}, 0.0, 2.0 * (topk + 1) * tokens * hidden, ""},
            can_implement(unpermute), o, [&](int) { run(unpermute, o.stream); }));
  return rows;
}

}  // namespace

std::vector<BenchCase> all_cases() {
  std::vector<BenchCase> cases;
  auto one = [&](const std::string& name, std::function<BenchRow(const BenchOptions&)> f) {
    cases.push_back({name, [f](const BenchOptions& o) { return std::vector<BenchRow>{f(o)}; }});
  };
  // DeepGEMM's dense table (published-figures.md §10.1): M x (N, K), forward.
  const std::vector<std::pair<I64, I64>> nk = {{2112, 7168},  {24576, 1536}, {32768, 512},
                                               {7168, 16384}, {4096, 7168},  {7168, 2048}};
  for (I64 m : {64, 128, 4096}) {
    for (auto [n, k] : nk) {
      one("fp8_gemm.forward " + mnk(m, n, k), [=](const BenchOptions& o) {
        return fp8_gemm_case(o, "forward", linear_gemm_shape(LinearPass::kForward, m, k, n));
      });
    }
  }
  // Backward of the expert GEMMs (gate+up 7168 -> 4096, down 2048 -> 7168), 4096 tokens.
  for (auto [in, out] : std::vector<std::pair<I64, I64>>{{7168, 4096}, {2048, 7168}}) {
    one("fp8_gemm.dgrad in=" + std::to_string(in) + " out=" + std::to_string(out),
        [=](const BenchOptions& o) {
          return fp8_gemm_case(o, "dgrad", linear_gemm_shape(LinearPass::kDataGrad, 4096, in, out));
        });
    one("fp8_gemm.wgrad in=" + std::to_string(in) + " out=" + std::to_string(out),
        [=](const BenchOptions& o) {
          return fp8_gemm_case(o, "wgrad",
                               linear_gemm_shape(LinearPass::kWeightGrad, 4096, in, out));
        });
  }
  for (auto [n, k] : nk) {
    one("bf16_gemm.forward " + mnk(4096, n, k),
        [=](const BenchOptions& o) { return bf16_gemm_case(o, 4096, n, k); });
  }
  one("quantize_activations",
      [](const BenchOptions& o) { return quantize_case(o, false, 4096, 7168); });
  one("quantize_weights", [](const BenchOptions& o) { return quantize_case(o, true, 4096, 7168); });
  one("rmsnorm", [](const BenchOptions& o) { return rmsnorm_case(o, 4096, 7168); });
  one("swiglu", [](const BenchOptions& o) { return swiglu_case(o, 4096, 2048); });
  one("rope.q_pe", [](const BenchOptions& o) {
    return rope_case(o, "rope.q_pe", RopeShape{4096, 128, 128 * 192, 192, 128, 64});
  });
  one("rope.k_pe", [](const BenchOptions& o) {
    return rope_case(o, "rope.k_pe", RopeShape{4096, 1, 576, 0, 512, 64});
  });
  one("rmsnorm.backward",
      [](const BenchOptions& o) { return rmsnorm_backward_case(o, 4096, 7168); });
  one("swiglu.backward", [](const BenchOptions& o) { return swiglu_backward_case(o, 4096, 2048); });
  one("rope.q_pe.backward", [](const BenchOptions& o) {
    return rope_case(o, "rope.q_pe.backward", RopeShape{4096, 128, 128 * 192, 192, 128, 64}, true);
  });
  one("rope.k_pe.backward", [](const BenchOptions& o) {
    return rope_case(o, "rope.k_pe.backward", RopeShape{4096, 1, 576, 0, 512, 64}, true);
  });
  one("moe_gate", [](const BenchOptions& o) { return gate_case(o, 4096); });
  cases.push_back({"routing_map permute unpermute",
                   [](const BenchOptions& o) { return permute_cases(o, 4096, 7168); }});
  // The routed experts' grouped GEMMs, DeepGEMM's contiguous-layout table (§10.2): 4 groups
  // of 8192 rows is one EP64 rank of V3 (256 experts / 64 = 4 local experts; 4096 tokens x
  // top-8 on each of 64 ranks = 8192 rows per expert when routing is uniform); 8 x 4096 the
  // table's other row. Gate+up is in 7168 -> out 4096, down in 2048 -> out 7168.
  for (auto [groups, rows] : std::vector<std::pair<int, I64>>{{4, 8192}, {8, 4096}}) {
    for (auto [in, out] : std::vector<std::pair<I64, I64>>{{7168, 4096}, {2048, 7168}}) {
      const std::string tag = std::to_string(groups) + "x" + std::to_string(rows) +
                              " in=" + std::to_string(in) + " out=" + std::to_string(out);
      one("grouped_fp8_gemm.forward " + tag, [=](const BenchOptions& o) {
        return grouped_gemm_case(o, LinearPass::kForward, "forward", groups, rows, in, out);
      });
      if (groups != 4) continue;  // the backward at the EP64 shape only
      one("grouped_fp8_gemm.dgrad " + tag, [=](const BenchOptions& o) {
        return grouped_gemm_case(o, LinearPass::kDataGrad, "dgrad", groups, rows, in, out);
      });
      one("grouped_fp8_gemm.wgrad " + tag, [=](const BenchOptions& o) {
        return grouped_gemm_case(o, LinearPass::kWeightGrad, "wgrad", groups, rows, in, out);
      });
    }
  }
  // MLA attention at V3's pre-training sequence length 4096 (V3TR §4.2) and 128 heads.
  cases.push_back(
      {"mla_attention", [](const BenchOptions& o) { return attention_cases(o, 4096, 128); }});
  return cases;
}

}  // namespace moesim::kernels::bench
