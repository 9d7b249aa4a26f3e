#pragma once
// The shapes a calibration profile should cover for a scenario: every op of the
// per-GPU op graph (sim/model/layer_graph.h) that the compute model prices, per pass,
// with the shape the compute model looks its efficiency up at
// (sim/cost/compute_model.cpp). real/ reads this list (`moesim shapes` writes it) and
// times exactly these shapes, so a measured time lands on the op the simulator would
// otherwise estimate, and the two cannot drift apart.
//
// The file format is persistent: "format": "moesim-shapes-1". DO NOT RENAME KEYS.
//
// {
//   "format": "moesim-shapes-1",
//   "scenario": "DeepSeek-V3 pre-training, 2048 x H800",   // informative
//   "model": "DeepSeek-V3", "gpu": "H800", "precision": "fp8",
//   "tp": 1, "ep": 64,
//   "shapes": [
//     { "name": "mla.qkv_a_proj", "names": ["mla.qkv_a_proj"], "class": "gemm",
//       "dtype": "fp8", "pass": "F", "m": 4096, "n": 2112, "k": 7168, "groups": 1,
//       "flops": 1.24e11, "bytes": 5.3e7 },
//     { "name": "attn.core", "class": "attention", "dtype": "bf16", "pass": "F",
//       "tokens": 4096, "seq_len": 4096, "heads": 128, "kv_heads": 128,
//       "head_dim_qk": 192, "head_dim_v": 128, "flops": ..., "bytes": ... },
//     { "name": "attn.norm", "class": "memory", "dtype": "bf16", "pass": "F",
//       "rows": 4096, "cols": 7168, "flops": ..., "bytes": ... }
//   ]
// }
//
// class: "gemm", "grouped_gemm" (groups GEMMs of m rows each), "attention", "memory".
// pass: "F" (forward), "B" (backward for input), "W" (backward for weights).
// GEMM m, n, k are per group, in the compute model's convention for the pass: for a
//   Linear with `tokens` rows, `in` and `out` features, F is (tokens, out, in), B is
//   (tokens, in, out) and W is (in, out, tokens). FLOPs = 2 m n k groups. m may be
//   fractional for grouped GEMMs (tokens per local expert under balanced routing).
// memory: rows x cols is the tensor the op's kernel walks, given only for ops with a
//   kernel in kernels/ (norms, SwiGLU, gate top-k, permute, unpermute); bytes is the
//   HBM traffic the simulator charges for the pass, the figure GB/s is computed over.
// flops and bytes: what the simulator charges for this op and pass (sim/model).
//
// Order: first appearance walking the layer kinds (embedding, dense, moe, mtp, head),
// each phase's distinct sequence length in turn, ops in graph order, passes F, B, W.
// Duplicates (same class, dtype, pass and shape; memory ops also by name) are merged,
// their names collected in "names".

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/cost/compute_model.h"
#include "sim/model/layer_graph.h"
#include "sim/scenario/scenario.h"

namespace moesim {

// DO NOT CHANGE: written into shape lists ("class").
enum class ProfileClass { kGemm, kGroupedGemm, kAttention, kMemory };

struct AttentionDims {
  double tokens = 0, seq_len = 0, heads = 0, kv_heads = 0, head_dim_qk = 0, head_dim_v = 0;
  bool operator==(const AttentionDims& o) const;
};

struct ProfileShape {
  std::string name;                // the first graph op with this shape
  std::vector<std::string> names;  // every graph op with this shape, first-seen order
  ProfileClass op_class = ProfileClass::kGemm;
  bool fp8 = false;
  Pass pass = Pass::kForward;
  double m = 0, n = 0, k = 0;  // GEMMs
  int groups = 1;
  AttentionDims attention;     // attention
  double rows = 0, cols = 0;   // memory ops with a kernel; 0 otherwise
  double flops = 0, bytes = 0;
  // True when both describe the same measurement (names aside).
  bool same_shape(const ProfileShape& o) const;
};

struct ProfileShapeList {
  std::string scenario, model, gpu, precision;
  int tp = 1, ep = 1;
  std::vector<ProfileShape> shapes;
};

// The shapes of one micro-batch context (one sequence length).
ProfileShapeList profile_shapes(const ModelSpec& m, const ExpandContext& ctx);
// Every distinct sequence length of the scenario's phases, micro_batch_size x seq_len
// tokens each, with the plan's tp and ep and its precision.
ProfileShapeList profile_shapes(const Scenario& s);

const char* to_string(ProfileClass c);
const char* pass_code(Pass p);  // "F", "B", "W"

constexpr const char* kShapesFormat = "moesim-shapes-1";
nlohmann::json to_json(const ProfileShapeList& l);
// Checks the format key and every entry; all problems (file, JSON path, expected,
// found) are collected into one InputError.
ProfileShapeList parse_profile_shapes(const nlohmann::json& j, const std::string& file);
ProfileShapeList load_profile_shapes(const std::string& path);

}  // namespace moesim
