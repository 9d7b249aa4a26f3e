#include "kernels/reference/grouped_gemm_reference.h"

#include <stdexcept>
#include <string>

namespace moesim::kernels::reference {
namespace {

// Appends one expert's result below the ones before it.
void append(GemmResult& all, const GemmResult& one) {
  if (all.n != one.n) {
    throw std::invalid_argument("grouped gemm reference: experts differ in n (" +
                                std::to_string(all.n) + " vs " + std::to_string(one.n) + ")");
  }
  all.m += one.m;
  all.d.insert(all.d.end(), one.d.begin(), one.d.end());
  all.magnitude.insert(all.magnitude.end(), one.magnitude.begin(), one.magnitude.end());
}

GemmResult zeros(std::int64_t m, std::int64_t n) {
  return GemmResult{m, n, std::vector<float>(static_cast<std::size_t>(m * n), 0.0f),
                    std::vector<float>(static_cast<std::size_t>(m * n), 0.0f)};
}

void expect_experts(std::size_t a, std::size_t b, std::size_t shapes) {
  if (a != b || a != shapes || a == 0) {
    throw std::invalid_argument(
        "grouped gemm reference: operand lists differ in length or are "
        "empty");
  }
}

}  // namespace

GemmResult grouped_fp8_gemm(const std::vector<Fp8Tensor>& a, const std::vector<Fp8Tensor>& b) {
  expect_experts(a.size(), b.size(), a.size());
  GemmResult all{0, b.front().rows, {}, {}};
  for (std::size_t e = 0; e < a.size(); ++e) {
    if (a[e].cols != b[e].cols) throw std::invalid_argument("grouped gemm reference: k differs");
    if (a[e].rows == 0) continue;
    append(all, a[e].cols == 0 ? zeros(a[e].rows, b[e].rows) : fp8_gemm(a[e], b[e]));
  }
  return all;
}

GemmResult grouped_bf16_gemm(const std::vector<std::vector<Bf16>>& a,
                             const std::vector<std::vector<Bf16>>& b,
                             const std::vector<GemmShape>& shapes) {
  expect_experts(a.size(), b.size(), shapes.size());
  GemmResult all{0, shapes.front().n, {}, {}};
  for (std::size_t e = 0; e < a.size(); ++e) {
    const GemmShape& s = shapes[e];
    if (s.m == 0) continue;
    append(all, s.k == 0 ? zeros(s.m, s.n) : bf16_gemm(a[e], b[e], s.m, s.n, s.k));
  }
  return all;
}

}  // namespace moesim::kernels::reference
