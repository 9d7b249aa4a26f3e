#pragma once
// What can_implement() answers, and the exceptions that run() throws.
//
// Every kernel in kernels/ follows one protocol (after CUTLASS and DeepGEMM):
//   Support s = can_implement(params);   // pure: shapes, alignments, limits; no GPU needed
//   run(params, stream);                  // throws std::invalid_argument with s.reason
//                                          // when !s.ok(), CudaError when CUDA fails
// Neither call allocates device memory behind the caller's back.

#include <stdexcept>
#include <string>
#include <utility>

namespace moesim::kernels {

struct Support {
  std::string reason;  // empty when the arguments can run; else why not, naming the kernel
  bool ok() const { return reason.empty(); }

  static Support yes() { return {}; }
  static Support no(std::string why) { return Support{std::move(why)}; }
};

// Throws std::invalid_argument(s.reason) unless s.ok(). For run() implementations.
inline void require(const Support& s) {
  if (!s.ok()) throw std::invalid_argument(s.reason);
}

}  // namespace moesim::kernels
