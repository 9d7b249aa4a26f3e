#pragma once
// CPU reference for kernels/mla_attention.h, in double precision and for any head dims:
// the formulas of that header, computed directly (each row's softmax with its max
// subtracted, no tiling). Layouts as there. Throws std::invalid_argument when
// check_mla_attention_shape() rejects the shape or a size does not match it.

#include <vector>

#include "kernels/mla_attention.h"

namespace moesim::kernels::reference {

struct AttentionForward {
  std::vector<double> o;    // [batch][seq][heads][v_head_dim]
  std::vector<double> lse;  // [batch][heads][seq], natural log
};
AttentionForward mla_attention_forward(const std::vector<double>& q, const std::vector<double>& k,
                                       const std::vector<double>& v, const MlaAttentionShape& s);

struct AttentionBackward {
  std::vector<double> dq;
  std::vector<double> dk;
  std::vector<double> dv;
};
// `o` is the forward output the backward reads (the kernel's BF16 O, for a like-for-like
// comparison); the probabilities are recomputed exactly from q and k.
AttentionBackward mla_attention_backward(const std::vector<double>& q, const std::vector<double>& k,
                                         const std::vector<double>& v, const std::vector<double>& o,
                                         const std::vector<double>& d_o,
                                         const MlaAttentionShape& s);

}  // namespace moesim::kernels::reference
