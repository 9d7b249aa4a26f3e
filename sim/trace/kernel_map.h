#pragma once
// The table that maps a profiler trace onto moesim's vocabulary: kernel names
// to op classes, annotation names to (block, pass) stages. It is data, a
// user can extend it for their own framework's kernel names. Format
// (persistent: "format": "moesim-kernel-map-1", DO NOT RENAME KEYS):
//
// {
//   "format": "moesim-kernel-map-1",
//   "source": "...",
//   "kernels": [ { "match": "ECMAScript regex searched in the name",
//                  "class": "gemm", "note": "..." }, ... ],   // first match wins
//   "stages":  [ { "match": "^attn\\(F\\)$", "block": "attn", "pass": "forward" }, ... ]
// }
// Classes: gemm (FP8 GEMMs, grouped or not), gemm_bf16, attention, fp8_cast,
// memory (norms, RoPE, activations, router, permutes, elementwise), ep_dispatch,
// ep_combine, ep_notify_dispatch (DeepEP notify and layout before a fresh
// dispatch), ep_notify_cached (cached_notify before the other calls), ignore
// (work outside the step model, said in the report: optimizer, profiler
// overhead). A block is "attn" (before the EP dispatch), "mlp" (experts and
// FFN) or "comm" (a stage that only communicates: dispatch(F), combine(B), ...).

#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace moesim {

enum class KernelClass {
  kGemm,
  kGemmBf16,
  kAttention,
  kFp8Cast,
  kMemory,
  kEpDispatch,
  kEpCombine,
  kEpNotifyDispatch,
  kEpNotifyCached,
  kIgnore,
  kUnknown,  // no rule matched: reported, never dropped
};

const char* to_string(KernelClass c);
bool is_communication(KernelClass c);  // the ep_* classes: they hold the comm SMs

enum class StagePass { kForward, kInputGrad, kWeightGrad };
const char* to_string(StagePass p);  // "forward", "input_grad", "weight_grad"

struct KernelRule {
  std::string match;
  std::regex re;
  KernelClass cls = KernelClass::kUnknown;
};

struct StageRule {
  std::string match;
  std::regex re;
  std::string block;  // "attn", "mlp", "comm"
  StagePass pass = StagePass::kForward;
};

struct KernelMap {
  std::string source;
  std::vector<KernelRule> kernels;
  std::vector<StageRule> stages;

  KernelClass classify(const std::string& kernel_name) const;
  // The rule for an annotation name, or nullptr when it names no stage.
  const StageRule* stage(const std::string& annotation) const;
};

// Every problem (file, JSON path, expected) in one InputError.
KernelMap parse_kernel_map(const nlohmann::json& j, const std::string& file);
KernelMap load_kernel_map(const std::string& path);
// `user` rules first (they win), then `base`'s.
KernelMap merge_kernel_maps(const KernelMap& user, const KernelMap& base);

// The shipped table (validation/calibration/kineto-kernel-map.json, compiled in):
// DeepSeek's V3 training kernels, PyTorch's and common CUTLASS/cuBLAS names.
const KernelMap& default_kernel_map();
const char* default_kernel_map_json();

}  // namespace moesim
