#pragma once
// `moesim-real step`: the communication of a training step on real GPUs, one rank per
// GPU, all ranks one EP group (docs/real.md): NCCL bootstrap; the MoE gate on random
// logits (kernels/moe_gate.h, V3's config); EP dispatch (FP8 payload + scales) and combine
// (BF16) as grouped ncclSend/ncclRecv with per-peer counts from that routing
// (real/routing_counts.h); pipeline send/recv of one micro-batch's activations between
// rank r and r + stride; ZeRO-1 reduce-scatter of FP32 gradients and all-gather of BF16
// parameters of one V3 attention block. Each is timed with CUDA events over --repeats
// after --warmup; rank 0 prints the slowest rank's median per collective as JSON.
// Needs GPUs and NCCL.

#include <ostream>
#include <string>
#include <vector>

namespace moesim::real {

int step_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace moesim::real
