#pragma once
// Where the scales of DeepSeek-V3's FP8 tensors live (V3TR §3.3.2; DeepGEMM; cuBLASLt's
// VEC128_32F and BLK128x128_32F modes). Shared by the quantizers, the GEMM wrapper and
// the CPU references. A tensor is row-major [rows][cols] with cols the contraction (K)
// dimension of the GEMM that reads it.
//
// DO NOT CHANGE THESE LAYOUTS without changing the GEMM wrapper: cuBLASLt reads them.
//
//  * 1x128 tiles (activations, per token per 128 channels): one float per (row, 128 cols),
//    stored column-block-major, rows contiguous: scale(row, c) = s[(c / 128) * rows + row].
//    This is the "transposed" layout that DeepGEMM and cuBLASLt's VEC128 mode read.
//  * 128x128 blocks (weights): one float per block, stored block-row-major with each block
//    row padded to a multiple of 4 floats (16 bytes):
//    scale(row, c) = s[(row / 128) * weight_scale_stride(cols) + c / 128].
//    rows need not be a multiple of 128 (V3's fused q_a+kv_a weight has 2112 rows): the
//    last block row is partial.

#include <cstdint>

#include "kernels/support.h"

namespace moesim::kernels {

inline constexpr std::int64_t kFp8TileSize = 128;

constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
constexpr std::int64_t round_up(std::int64_t a, std::int64_t b) { return ceil_div(a, b) * b; }

// REQUIRES: cols % 128 == 0.
constexpr std::int64_t activation_scale_index(std::int64_t rows, std::int64_t row,
                                              std::int64_t col) {
  return (col / kFp8TileSize) * rows + row;
}
constexpr std::int64_t activation_scale_count(std::int64_t rows, std::int64_t cols) {
  return rows * (cols / kFp8TileSize);
}

constexpr std::int64_t weight_scale_stride(std::int64_t cols) {
  return round_up(ceil_div(cols, kFp8TileSize), 4);
}
constexpr std::int64_t weight_scale_index(std::int64_t cols, std::int64_t row, std::int64_t col) {
  return (row / kFp8TileSize) * weight_scale_stride(cols) + col / kFp8TileSize;
}
constexpr std::int64_t weight_scale_count(std::int64_t rows, std::int64_t cols) {
  return ceil_div(rows, kFp8TileSize) * weight_scale_stride(cols);
}

// Whether a [rows][cols] tensor can be cut into the recipe's tiles: cols (the contraction
// dimension) a positive multiple of 128, rows positive. `kernel` names the caller in the
// reason, e.g. "quantize_activations: cols 100 is not a multiple of 128 (FP8 1x128 tiles)".
Support check_fp8_tiling(const char* kernel, std::int64_t rows, std::int64_t cols);

}  // namespace moesim::kernels
