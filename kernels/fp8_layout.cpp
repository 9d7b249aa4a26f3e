#include "kernels/fp8_layout.h"

#include <string>

namespace moesim::kernels {

Support check_fp8_tiling(const char* kernel, std::int64_t rows, std::int64_t cols) {
  const std::string who = kernel;
  if (rows <= 0 || cols <= 0) {
    return Support::no(who + ": empty tensor (" + std::to_string(rows) + " x " +
                       std::to_string(cols) + ")");
  }
  if (cols % kFp8TileSize != 0) {
    return Support::no(who + ": cols " + std::to_string(cols) +
                       " is not a multiple of 128 (FP8 tiles are 1x128 and 128x128 along the "
                       "contraction dimension)");
  }
  return Support::yes();
}

}  // namespace moesim::kernels
