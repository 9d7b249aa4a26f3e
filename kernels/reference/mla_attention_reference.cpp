#include "kernels/reference/mla_attention_reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace moesim::kernels::reference {
namespace {

using I64 = std::int64_t;

void check(const MlaAttentionShape& s) {
  const Support ok = check_mla_attention_shape(s);
  if (!ok.ok()) throw std::invalid_argument("mla_attention reference: " + ok.reason);
}

void expect_size(const char* what, std::size_t got, I64 want) {
  if (got != static_cast<std::size_t>(want)) {
    throw std::invalid_argument(std::string("mla_attention reference: ") + what + " has " +
                                std::to_string(got) + " elements, expected " +
                                std::to_string(want));
  }
}

// Row offsets into the token-major tensors and the [batch][heads][seq] statistics.
struct Index {
  const MlaAttentionShape& s;
  std::size_t token(I64 b, I64 t, I64 h, int dim) const {
    return static_cast<std::size_t>(((b * s.seq + t) * s.heads + h) * dim);
  }
  std::size_t stat(I64 b, I64 h, I64 t) const {
    return static_cast<std::size_t>((b * s.heads + h) * s.seq + t);
  }
};

// Keys row i attends to: [0, keys_for(i)).
I64 keys_for(const MlaAttentionShape& s, I64 i) { return s.causal ? i + 1 : s.seq; }

// Softmax probabilities of row (b, h, i) over its keys, and its log-sum-exp.
std::vector<double> probabilities(const std::vector<double>& q, const std::vector<double>& k,
                                  const MlaAttentionShape& s, I64 b, I64 h, I64 i, double* lse) {
  const Index x{s};
  const I64 n = keys_for(s, i);
  std::vector<double> p(static_cast<std::size_t>(n));
  double max = -std::numeric_limits<double>::infinity();
  for (I64 j = 0; j < n; ++j) {
    double dot = 0.0;
    for (int c = 0; c < s.qk_head_dim; ++c) {
      dot += q[x.token(b, i, h, s.qk_head_dim) + c] * k[x.token(b, j, h, s.qk_head_dim) + c];
    }
    p[static_cast<std::size_t>(j)] = static_cast<double>(s.softmax_scale) * dot;
    max = std::max(max, p[static_cast<std::size_t>(j)]);
  }
  double sum = 0.0;
  for (double& v : p) sum += (v = std::exp(v - max));
  for (double& v : p) v /= sum;
  if (lse != nullptr) *lse = max + std::log(sum);
  return p;
}

void check_inputs(const std::vector<double>& q, const std::vector<double>& k,
                  const std::vector<double>& v, const MlaAttentionShape& s) {
  check(s);
  const I64 tokens = s.batch * s.seq * s.heads;
  expect_size("q", q.size(), tokens * s.qk_head_dim);
  expect_size("k", k.size(), tokens * s.qk_head_dim);
  expect_size("v", v.size(), tokens * s.v_head_dim);
}

}  // namespace

AttentionForward mla_attention_forward(const std::vector<double>& q, const std::vector<double>& k,
                                       const std::vector<double>& v, const MlaAttentionShape& s) {
  check_inputs(q, k, v, s);
  const Index x{s};
  AttentionForward f{std::vector<double>(v.size(), 0.0),
                     std::vector<double>(static_cast<std::size_t>(s.batch * s.heads * s.seq))};
  for (I64 b = 0; b < s.batch; ++b) {
    for (I64 h = 0; h < s.heads; ++h) {
      for (I64 i = 0; i < s.seq; ++i) {
        const auto p = probabilities(q, k, s, b, h, i, &f.lse[x.stat(b, h, i)]);
        for (I64 j = 0; j < static_cast<I64>(p.size()); ++j) {
          for (int c = 0; c < s.v_head_dim; ++c) {
            f.o[x.token(b, i, h, s.v_head_dim) + c] +=
                p[static_cast<std::size_t>(j)] * v[x.token(b, j, h, s.v_head_dim) + c];
          }
        }
      }
    }
  }
  return f;
}

AttentionBackward mla_attention_backward(const std::vector<double>& q, const std::vector<double>& k,
                                         const std::vector<double>& v, const std::vector<double>& o,
                                         const std::vector<double>& d_o,
                                         const MlaAttentionShape& s) {
  check_inputs(q, k, v, s);
  expect_size("o", o.size(), static_cast<I64>(v.size()));
  expect_size("d_o", d_o.size(), static_cast<I64>(v.size()));
  const Index x{s};
  const int dq_dim = s.qk_head_dim, dv_dim = s.v_head_dim;
  const double scale = s.softmax_scale;
  AttentionBackward g{std::vector<double>(q.size(), 0.0), std::vector<double>(k.size(), 0.0),
                      std::vector<double>(v.size(), 0.0)};
  for (I64 b = 0; b < s.batch; ++b) {
    for (I64 h = 0; h < s.heads; ++h) {
      for (I64 i = 0; i < s.seq; ++i) {
        const auto p = probabilities(q, k, s, b, h, i, nullptr);
        const std::size_t qi = x.token(b, i, h, dq_dim), oi = x.token(b, i, h, dv_dim);
        double delta = 0.0;
        for (int c = 0; c < dv_dim; ++c) delta += d_o[oi + c] * o[oi + c];
        for (I64 j = 0; j < static_cast<I64>(p.size()); ++j) {
          const std::size_t kj = x.token(b, j, h, dq_dim), vj = x.token(b, j, h, dv_dim);
          const double pij = p[static_cast<std::size_t>(j)];
          double dp = 0.0;
          for (int c = 0; c < dv_dim; ++c) {
            dp += d_o[oi + c] * v[vj + c];
            g.dv[vj + c] += pij * d_o[oi + c];
          }
          const double ds = pij * (dp - delta);
          for (int c = 0; c < dq_dim; ++c) {
            g.dq[qi + c] += scale * ds * k[kj + c];
            g.dk[kj + c] += scale * ds * q[qi + c];
          }
        }
      }
    }
  }
  return g;
}

}  // namespace moesim::kernels::reference
