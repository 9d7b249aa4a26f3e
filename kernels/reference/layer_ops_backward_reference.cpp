#include "kernels/reference/layer_ops_backward_reference.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace moesim::kernels::reference {
namespace {

void expect_size(const char* who, std::size_t got, std::int64_t want) {
  if (got != static_cast<std::size_t>(want)) {
    throw std::invalid_argument(std::string(who) + ": " + std::to_string(got) +
                                " elements, expected " + std::to_string(want));
  }
}

std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }

double inverse_rms(const double* row, std::int64_t dim, double eps) {
  double sum = 0.0;
  for (std::int64_t i = 0; i < dim; ++i) sum += row[i] * row[i];
  return 1.0 / std::sqrt(sum / static_cast<double>(dim) + eps);
}

double sigmoid(double g) { return 1.0 / (1.0 + std::exp(-g)); }

}  // namespace

std::vector<double> rmsnorm_forward(const std::vector<double>& x, const std::vector<double>& weight,
                                    std::int64_t rows, std::int64_t dim, double eps) {
  expect_size("rmsnorm_forward x", x.size(), rows * dim);
  expect_size("rmsnorm_forward weight", weight.size(), dim);
  std::vector<double> y(x.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    const double inv = inverse_rms(x.data() + r * dim, dim, eps);
    for (std::int64_t i = 0; i < dim; ++i)
      y[at(r * dim + i)] = x[at(r * dim + i)] * inv * weight[at(i)];
  }
  return y;
}

RmsNormGradients rmsnorm_backward(const std::vector<double>& x, const std::vector<double>& weight,
                                  const std::vector<double>& dy, std::int64_t rows,
                                  std::int64_t dim, double eps) {
  expect_size("rmsnorm_backward x", x.size(), rows * dim);
  expect_size("rmsnorm_backward weight", weight.size(), dim);
  expect_size("rmsnorm_backward dy", dy.size(), rows * dim);
  RmsNormGradients g{std::vector<double>(x.size()), std::vector<double>(at(dim), 0.0)};
  for (std::int64_t r = 0; r < rows; ++r) {
    const double* xr = x.data() + r * dim;
    const double* dyr = dy.data() + r * dim;
    const double inv = inverse_rms(xr, dim, eps);
    double dot = 0.0;
    for (std::int64_t i = 0; i < dim; ++i) dot += weight[at(i)] * dyr[i] * xr[i];
    const double correction = inv * inv * inv / static_cast<double>(dim) * dot;
    for (std::int64_t i = 0; i < dim; ++i) {
      g.dx[at(r * dim + i)] = inv * weight[at(i)] * dyr[i] - correction * xr[i];
      g.dweight[at(i)] += dyr[i] * xr[i] * inv;
    }
  }
  return g;
}

std::vector<double> swiglu_forward(const std::vector<double>& x, std::int64_t rows,
                                   std::int64_t inter) {
  expect_size("swiglu_forward x", x.size(), rows * 2 * inter);
  std::vector<double> y(at(rows * inter));
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t j = 0; j < inter; ++j) {
      const double g = x[at(r * 2 * inter + j)], u = x[at(r * 2 * inter + inter + j)];
      y[at(r * inter + j)] = g * sigmoid(g) * u;
    }
  }
  return y;
}

std::vector<double> swiglu_backward(const std::vector<double>& x, const std::vector<double>& dy,
                                    std::int64_t rows, std::int64_t inter) {
  expect_size("swiglu_backward x", x.size(), rows * 2 * inter);
  expect_size("swiglu_backward dy", dy.size(), rows * inter);
  std::vector<double> dx(x.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t j = 0; j < inter; ++j) {
      const double g = x[at(r * 2 * inter + j)], u = x[at(r * 2 * inter + inter + j)];
      const double d = dy[at(r * inter + j)];
      const double s = sigmoid(g);
      dx[at(r * 2 * inter + j)] = d * u * s * (1.0 + g * (1.0 - s));
      dx[at(r * 2 * inter + inter + j)] = d * g * s;
    }
  }
  return dx;
}

void rope_backward(std::vector<Bf16>& grad, const RopeShape& s,
                   const std::vector<std::int32_t>& positions, const RopeTables& tables) {
  expect_size("rope_backward positions", positions.size(), s.tokens);
  if (tables.rope_dim != s.rope_dim) {
    throw std::invalid_argument("rope_backward: tables built for another rope_dim");
  }
  const int half = s.rope_dim / 2;
  for (std::int64_t t = 0; t < s.tokens; ++t) {
    const std::int64_t pos = positions[at(t)];
    if (pos < 0 || pos >= tables.max_positions) {
      throw std::invalid_argument("rope_backward: position " + std::to_string(pos) +
                                  " outside the tables");
    }
    for (std::int64_t h = 0; h < s.heads; ++h) {
      const std::int64_t base = t * s.token_stride + h * s.head_stride + s.rope_offset;
      if (base + s.rope_dim > static_cast<std::int64_t>(grad.size())) {
        throw std::invalid_argument("rope_backward: the layout runs past the end of grad");
      }
      for (int i = 0; i < half; ++i) {
        const float c = tables.cos[at(pos * half + i)];
        const float sn = tables.sin[at(pos * half + i)];
        Bf16& ga = grad[at(base + 2 * i)];
        Bf16& gb = grad[at(base + 2 * i + 1)];
        const float a = to_float(ga);
        const float b = to_float(gb);
        const float ac = a * c;
        const float bs = b * sn;
        const float bc = b * c;
        const float as = a * sn;
        ga = to_bf16(ac + bs);
        gb = to_bf16(bc - as);
      }
    }
  }
}

}  // namespace moesim::kernels::reference
