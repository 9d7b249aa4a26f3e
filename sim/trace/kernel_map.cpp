#include "sim/trace/kernel_map.h"

#include "sim/core/diagnostics.h"
#include "sim/core/json_checks.h"

namespace moesim {

using nlohmann::json;

namespace {

struct ClassName {
  KernelClass cls;
  const char* name;
};
constexpr ClassName kClasses[] = {
    {KernelClass::kGemm, "gemm"},
    {KernelClass::kGemmBf16, "gemm_bf16"},
    {KernelClass::kAttention, "attention"},
    {KernelClass::kFp8Cast, "fp8_cast"},
    {KernelClass::kMemory, "memory"},
    {KernelClass::kEpDispatch, "ep_dispatch"},
    {KernelClass::kEpCombine, "ep_combine"},
    {KernelClass::kEpNotifyDispatch, "ep_notify_dispatch"},
    {KernelClass::kEpNotifyCached, "ep_notify_cached"},
    {KernelClass::kIgnore, "ignore"},
};

bool compile(const json& r, const std::string& file, const std::string& at, Diagnostics& d,
             std::string& match, std::regex& re) {
  if (!r.contains("match") || !r["match"].is_string() || r["match"].get<std::string>().empty()) {
    d.add(file, at + "/match", "expected a non-empty regular expression (string)");
    return false;
  }
  match = r["match"];
  if (match.size() > 1000) {
    d.add(file, at + "/match", "expected a regular expression of at most 1000 characters");
    return false;
  }
  try {
    re = std::regex(match, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    d.add(file, at + "/match", std::string("invalid regular expression: ") + e.what());
    return false;
  }
  return true;
}

}  // namespace

const char* to_string(KernelClass c) {
  for (const auto& x : kClasses)
    if (x.cls == c) return x.name;
  return "unknown";
}

bool is_communication(KernelClass c) {
  return c == KernelClass::kEpDispatch || c == KernelClass::kEpCombine ||
         c == KernelClass::kEpNotifyDispatch || c == KernelClass::kEpNotifyCached;
}

const char* to_string(StagePass p) {
  switch (p) {
    case StagePass::kForward: return "forward";
    case StagePass::kInputGrad: return "input_grad";
    case StagePass::kWeightGrad: return "weight_grad";
  }
  return "?";
}

KernelClass KernelMap::classify(const std::string& name) const {
  for (const KernelRule& r : kernels)
    if (std::regex_search(name, r.re)) return r.cls;
  return KernelClass::kUnknown;
}

const StageRule* KernelMap::stage(const std::string& annotation) const {
  for (const StageRule& r : stages)
    if (std::regex_search(annotation, r.re)) return &r;
  return nullptr;
}

KernelMap parse_kernel_map(const json& j, const std::string& file) {
  Diagnostics d;
  KernelMap m;
  if (!j.is_object()) {
    d.add(file, "", "expected a JSON object (a kernel map)");
    throw InputError(d);
  }
  report_unknown_keys(j, file, "", {"format", "source", "kernels", "stages", "about"}, d);
  if (!j.contains("format") || j["format"] != "moesim-kernel-map-1")
    d.add(file, "/format", "expected \"moesim-kernel-map-1\", found " +
                               (j.contains("format") ? j["format"].dump() : std::string("nothing")));
  if (j.contains("source") && j["source"].is_string()) m.source = j["source"];
  for (const char* list : {"kernels", "stages"}) {
    if (!j.contains(list)) continue;
    if (!j[list].is_array()) {
      d.add(file, std::string("/") + list, "expected an array of rules");
      continue;
    }
    for (size_t i = 0; i < j[list].size(); ++i) {
      const json& r = j[list][i];
      const std::string at = std::string("/") + list + "/" + std::to_string(i);
      if (!r.is_object()) {
        d.add(file, at, "expected a rule object");
        continue;
      }
      if (std::string(list) == "kernels") {
        report_unknown_keys(r, file, at, {"match", "class", "note"}, d);
        KernelRule k;
        if (!compile(r, file, at, d, k.match, k.re)) continue;
        const std::string cls = r.contains("class") && r["class"].is_string() ? r["class"].get<std::string>() : "";
        bool found = false;
        for (const auto& x : kClasses)
          if (cls == x.name) {
            k.cls = x.cls;
            found = true;
          }
        if (!found) {
          std::vector<std::string> names;
          for (const auto& x : kClasses) names.emplace_back(x.name);
          const std::string hint = closest_match(cls, names);
          d.add(file, at + "/class",
                "expected one of gemm, gemm_bf16, attention, fp8_cast, memory, ep_dispatch, "
                "ep_combine, ep_notify_dispatch, ep_notify_cached, ignore; found " +
                    (r.contains("class") ? r["class"].dump() : std::string("nothing")) +
                    (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
          continue;
        }
        m.kernels.push_back(std::move(k));
      } else {
        report_unknown_keys(r, file, at, {"match", "block", "pass", "note"}, d);
        StageRule s;
        if (!compile(r, file, at, d, s.match, s.re)) continue;
        const std::string block = r.contains("block") && r["block"].is_string() ? r["block"].get<std::string>() : "";
        if (block != "attn" && block != "mlp" && block != "comm") {
          d.add(file, at + "/block", "expected \"attn\", \"mlp\" or \"comm\"");
          continue;
        }
        s.block = block;
        const std::string pass = r.contains("pass") && r["pass"].is_string() ? r["pass"].get<std::string>() : "";
        if (pass == "forward") s.pass = StagePass::kForward;
        else if (pass == "input_grad") s.pass = StagePass::kInputGrad;
        else if (pass == "weight_grad") s.pass = StagePass::kWeightGrad;
        else {
          d.add(file, at + "/pass", "expected \"forward\", \"input_grad\" or \"weight_grad\"");
          continue;
        }
        m.stages.push_back(std::move(s));
      }
    }
  }
  d.throw_if_any();
  return m;
}

KernelMap load_kernel_map(const std::string& path) {
  Diagnostics d;
  const json j = read_json_file(path, path, d);
  d.throw_if_any();
  return parse_kernel_map(j, path);
}

KernelMap merge_kernel_maps(const KernelMap& user, const KernelMap& base) {
  KernelMap m = user;
  m.kernels.insert(m.kernels.end(), base.kernels.begin(), base.kernels.end());
  m.stages.insert(m.stages.end(), base.stages.begin(), base.stages.end());
  if (m.source.empty()) m.source = base.source;
  return m;
}

const KernelMap& default_kernel_map() {
  static const KernelMap m = parse_kernel_map(json::parse(default_kernel_map_json()),
                                              "validation/calibration/kineto-kernel-map.json");
  return m;
}

}  // namespace moesim
