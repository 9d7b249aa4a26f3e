#pragma once
// CPU reference for kernels/grouped_gemm.h: each expert's GEMM by the single-GEMM
// references (kernels/reference/gemm_reference.h), the results one after another, which is
// the packed output: [rows][n] for the M-grouped passes, [experts][out][in] for kWeightGrad.
// An expert whose contraction is empty (kWeightGrad with no tokens) contributes zeros; one
// with no rows contributes nothing. Throws std::invalid_argument on mismatched operands.

#include <cstdint>
#include <vector>

#include "kernels/bf16.h"
#include "kernels/gemm.h"
#include "kernels/reference/gemm_reference.h"

namespace moesim::kernels::reference {

// a[e]: expert e's [m_e][k_e] operand, b[e]: its [n][k_e] operand (TN form, as
// linear_gemm_shape gives them). All b[e] have the same n.
GemmResult grouped_fp8_gemm(const std::vector<Fp8Tensor>& a, const std::vector<Fp8Tensor>& b);

// shapes[e] = linear_gemm_shape(pass, M_e, in, out); a[e] and b[e] sized to match.
GemmResult grouped_bf16_gemm(const std::vector<std::vector<Bf16>>& a,
                             const std::vector<std::vector<Bf16>>& b,
                             const std::vector<GemmShape>& shapes);

}  // namespace moesim::kernels::reference
