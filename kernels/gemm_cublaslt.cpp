// The cuBLASLt side of kernels/gemm.h: host code only (no nvcc needed).
#include <cublasLt.h>

#include <map>
#include <string>
#include <tuple>

#include "kernels/cuda_error.h"
#include "kernels/fp8_layout.h"
#include "kernels/gemm.h"

namespace moesim::kernels {
namespace {

void check_cublas(cublasStatus_t status, const std::string& what) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    throw CudaError("cuBLASLt: " + what + ": " + cublasLtGetStatusString(status));
  }
}

bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

std::string dims(std::int64_t m, std::int64_t n, std::int64_t k) {
  return "m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k);
}

// RAII holders for cuBLASLt's descriptors.
struct MatmulDesc {
  cublasLtMatmulDesc_t desc = nullptr;
  MatmulDesc() {
    check_cublas(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F),
                 "MatmulDescCreate");
  }
  ~MatmulDesc() { cublasLtMatmulDescDestroy(desc); }
  template <typename T>
  void set(cublasLtMatmulDescAttributes_t attribute, const T& value) {
    check_cublas(cublasLtMatmulDescSetAttribute(desc, attribute, &value, sizeof value),
                 "MatmulDescSetAttribute " + std::to_string(attribute));
  }
};

struct Layout {
  cublasLtMatrixLayout_t layout = nullptr;
  // Column-major rows x cols with leading dimension ld, as cuBLASLt counts.
  Layout(cudaDataType_t type, std::int64_t rows, std::int64_t cols, std::int64_t ld) {
    check_cublas(cublasLtMatrixLayoutCreate(&layout, type, static_cast<std::uint64_t>(rows),
                                            static_cast<std::uint64_t>(cols), ld),
                 "MatrixLayoutCreate");
  }
  ~Layout() { cublasLtMatrixLayoutDestroy(layout); }
};

cudaDataType_t output_type(GemmOutput t) {
  return t == GemmOutput::kBf16 ? CUDA_R_16BF : CUDA_R_32F;
}

cublasLtMatmulMatrixScale_t scale_mode(Fp8Granularity g) {
  return g == Fp8Granularity::kTile1x128 ? CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F
                                         : CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F;
}

}  // namespace

// Chosen algorithms, keyed by (fp8?, m, n, k, a granularity, b granularity, output).
struct CublasLt::Impl {
  cublasLtHandle_t handle = nullptr;
  void* workspace = nullptr;
  std::size_t workspace_bytes = 0;
  using Key = std::tuple<bool, std::int64_t, std::int64_t, std::int64_t, int, int, int>;
  std::map<Key, cublasLtMatmulAlgo_t> algos;
};

CublasLt::CublasLt(std::size_t workspace_bytes) : impl_(std::make_unique<Impl>()) {
  check_cublas(cublasLtCreate(&impl_->handle), "cublasLtCreate (is there a GPU?)");
  if (workspace_bytes > 0) {
    const cudaError_t err = cudaMalloc(&impl_->workspace, workspace_bytes);
    if (err != cudaSuccess) {
      cublasLtDestroy(impl_->handle);
      check_cuda(err, "cuBLASLt workspace");
    }
  }
  impl_->workspace_bytes = workspace_bytes;
}

CublasLt::~CublasLt() {
  if (impl_->workspace != nullptr) cudaFree(impl_->workspace);
  cublasLtDestroy(impl_->handle);
}

namespace {

// D (row-major m x n) = A (m x k) . B (n x k)^T is, in cuBLASLt's column-major terms,
// D^T (n x m) = op(B') . op(A') with B' = our B (k x n column-major, transposed) and
// A' = our A (k x m column-major, as is). So cuBLASLt's "A" is our B and its "B" our A.
void matmul(CublasLt::Impl& lt, MatmulDesc& desc, cudaDataType_t in_type, const void* a,
            const void* b, void* d, GemmOutput d_type, std::int64_t m, std::int64_t n,
            std::int64_t k, const CublasLt::Impl::Key& key, cudaStream_t stream) {
  const cublasOperation_t transpose = CUBLAS_OP_T, keep = CUBLAS_OP_N;
  desc.set(CUBLASLT_MATMUL_DESC_TRANSA, transpose);
  desc.set(CUBLASLT_MATMUL_DESC_TRANSB, keep);
  Layout lt_a(in_type, k, n, k);
  Layout lt_b(in_type, k, m, k);
  Layout lt_d(output_type(d_type), n, m, n);

  auto found = lt.algos.find(key);
  if (found == lt.algos.end()) {
    cublasLtMatmulPreference_t pref = nullptr;
    check_cublas(cublasLtMatmulPreferenceCreate(&pref), "MatmulPreferenceCreate");
    cublasLtMatmulHeuristicResult_t result{};
    int returned = 0;
    cublasStatus_t status =
        cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                             &lt.workspace_bytes, sizeof lt.workspace_bytes);
    if (status == CUBLAS_STATUS_SUCCESS) {
      status =
          cublasLtMatmulAlgoGetHeuristic(lt.handle, desc.desc, lt_a.layout, lt_b.layout,
                                         lt_d.layout, lt_d.layout, pref, 1, &result, &returned);
    }
    cublasLtMatmulPreferenceDestroy(pref);
    check_cublas(status, "AlgoGetHeuristic for " + dims(m, n, k));
    if (returned == 0) {
      throw CudaError("cuBLASLt has no kernel for this GEMM on this GPU (" + dims(m, n, k) + ")");
    }
    found = lt.algos.emplace(key, result.algo).first;
  }
  const float alpha = 1.0f, beta = 0.0f;
  check_cublas(cublasLtMatmul(lt.handle, desc.desc, &alpha, b, lt_a.layout, a, lt_b.layout, &beta,
                              d, lt_d.layout, d, lt_d.layout, &found->second, lt.workspace,
                              lt.workspace_bytes, stream),
               "Matmul " + dims(m, n, k));
}

}  // namespace

Support can_implement(const Fp8GemmParams& p) {
  const std::string who = "fp8_gemm (" + dims(p.m, p.n, p.k) + "): ";
  if (p.m <= 0 || p.n <= 0 || p.k <= 0) return Support::no(who + "empty");
  if (p.k % kFp8TileSize != 0) {
    return Support::no(who + "k " + std::to_string(p.k) +
                       " is not a multiple of 128, so the FP8 recipe cannot tile it");
  }
  if (p.n % 8 != 0) return Support::no(who + "n must be a multiple of 8 (16-byte output rows)");
  if ((p.a_granularity == Fp8Granularity::kTile1x128 && p.m % 4 != 0) ||
      (p.b_granularity == Fp8Granularity::kTile1x128 && p.n % 4 != 0)) {
    return Support::no(who + "a 1x128-scaled operand needs a multiple of 4 rows");
  }
  if (p.a == nullptr || p.b == nullptr || p.a_scales == nullptr || p.b_scales == nullptr ||
      p.d == nullptr) {
    return Support::no(who + "null pointer");
  }
  if (!aligned16(p.a) || !aligned16(p.b) || !aligned16(p.d) || !aligned16(p.a_scales) ||
      !aligned16(p.b_scales)) {
    return Support::no(who + "operands, scales and output must be 16-byte aligned");
  }
  return Support::yes();
}

Support can_implement(const Bf16GemmParams& p) {
  const std::string who = "bf16_gemm (" + dims(p.m, p.n, p.k) + "): ";
  if (p.m <= 0 || p.n <= 0 || p.k <= 0) return Support::no(who + "empty");
  if (p.k % 8 != 0 || p.n % 8 != 0) return Support::no(who + "k and n must be multiples of 8");
  if (p.a == nullptr || p.b == nullptr || p.d == nullptr) return Support::no(who + "null pointer");
  if (!aligned16(p.a) || !aligned16(p.b) || !aligned16(p.d)) {
    return Support::no(who + "operands and output must be 16-byte aligned");
  }
  return Support::yes();
}

void run(const Fp8GemmParams& p, CublasLt& lt, cudaStream_t stream) {
  require(can_implement(p));
  MatmulDesc desc;
  // cuBLASLt's A is our B and the other way round (see matmul()).
  const std::int32_t lt_a_mode = scale_mode(p.b_granularity);
  const std::int32_t lt_b_mode = scale_mode(p.a_granularity);
  desc.set(CUBLASLT_MATMUL_DESC_A_SCALE_MODE, lt_a_mode);
  desc.set(CUBLASLT_MATMUL_DESC_B_SCALE_MODE, lt_b_mode);
  desc.set(CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, static_cast<const void*>(p.b_scales));
  desc.set(CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, static_cast<const void*>(p.a_scales));
  const CublasLt::Impl::Key key{true,
                                p.m,
                                p.n,
                                p.k,
                                static_cast<int>(p.a_granularity),
                                static_cast<int>(p.b_granularity),
                                static_cast<int>(p.d_type)};
  matmul(*lt.impl_, desc, CUDA_R_8F_E4M3, p.a, p.b, p.d, p.d_type, p.m, p.n, p.k, key, stream);
}

void run(const Bf16GemmParams& p, CublasLt& lt, cudaStream_t stream) {
  require(can_implement(p));
  MatmulDesc desc;
  const CublasLt::Impl::Key key{false, p.m, p.n, p.k, 0, 0, static_cast<int>(p.d_type)};
  matmul(*lt.impl_, desc, CUDA_R_16BF, p.a, p.b, p.d, p.d_type, p.m, p.n, p.k, key, stream);
}

GemmShape linear_gemm_shape(LinearPass pass, std::int64_t tokens, std::int64_t in_features,
                            std::int64_t out_features) {
  switch (pass) {
    case LinearPass::kForward:
      return {tokens, out_features, in_features, Fp8Granularity::kTile1x128,
              Fp8Granularity::kBlock128x128};
    case LinearPass::kDataGrad:
      return {tokens, in_features, out_features, Fp8Granularity::kTile1x128,
              Fp8Granularity::kBlock128x128};
    case LinearPass::kWeightGrad:
      return {out_features, in_features, tokens, Fp8Granularity::kTile1x128,
              Fp8Granularity::kTile1x128};
  }
  return {};
}

}  // namespace moesim::kernels
