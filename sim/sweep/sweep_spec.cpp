#include "sim/sweep/sweep_spec.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/diagnostics.h"
#include "sim/core/json_checks.h"
#include "sim/scenario/part_references.h"
#include "sim/scenario/scenario_json.h"

namespace moesim {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr double kMaxPoints = 1e9;         // grid size without sampling (streamed)
constexpr double kMaxSample = 1e7;         // sample size (its indices are held)
constexpr double kMaxValuesPerRange = 1e6;

std::string dir_of(const std::string& path) {
  const fs::path p = fs::path(path).parent_path();
  return p.empty() ? std::string() : p.string();
}

std::string join(const std::string& dir, const std::string& rel) {
  if (dir.empty() || fs::path(rel).is_absolute()) return rel;
  return (fs::path(dir) / rel).string();
}

std::string type_name(const json& v) {
  return v.is_null() ? "null" : std::string(v.type_name());
}

std::optional<double> number(const json& j, const char* key, const std::string& file,
                             const std::string& at, Diagnostics& d, bool required) {
  if (!j.contains(key)) {
    if (required) d.add(file, at, std::string("missing key \"") + key + "\" (a number)");
    return std::nullopt;
  }
  const json& v = j[key];
  if (!v.is_number() || !std::isfinite(v.get<double>())) {
    d.add(file, at + "/" + key, "expected a finite number, found " + v.dump() + " (" +
                                    type_name(v) + ")");
    return std::nullopt;
  }
  return v.get<double>();
}

json as_value(double x) {
  if (std::fabs(x - std::round(x)) < 1e-9 * std::max(1.0, std::fabs(x)) && std::fabs(x) < 9e15)
    return json(static_cast<long long>(std::llround(x)));
  return json(x);
}

// Expands one parameter entry into values; problems go to `d`.
SweepParameter parse_parameter(const json& p, const std::string& file, const std::string& at,
                               Diagnostics& d) {
  SweepParameter out;
  if (!p.is_object()) {
    d.add(file, at, "expected an object {\"path\": ..., \"values\" | \"range\" | \"log_range\"}");
    return out;
  }
  report_unknown_keys(p, file, at, {"path", "values", "range", "log_range"}, d);
  if (!p.contains("path") || !p["path"].is_string() || p["path"].get<std::string>().empty() ||
      p["path"].get<std::string>()[0] != '/') {
    d.add(file, at + "/path", "expected a JSON pointer into the scenario, e.g. \"/plan/ep\"");
  } else {
    out.path = p["path"];
  }
  const int kinds = p.contains("values") + p.contains("range") + p.contains("log_range");
  if (kinds != 1) {
    d.add(file, at, "expected exactly one of \"values\", \"range\" or \"log_range\"");
    return out;
  }
  if (p.contains("values")) {
    const json& v = p["values"];
    if (!v.is_array() || v.empty())
      d.add(file, at + "/values", "expected a non-empty array of values");
    else
      out.values.assign(v.begin(), v.end());
  } else if (p.contains("range")) {
    const std::string r = at + "/range";
    const json& j = p["range"];
    if (!j.is_object()) {
      d.add(file, r, "expected {\"from\", \"to\", \"step\"}");
      return out;
    }
    report_unknown_keys(j, file, r, {"from", "to", "step"}, d);
    auto from = number(j, "from", file, r, d, true), to = number(j, "to", file, r, d, true);
    auto step = number(j, "step", file, r, d, false);
    const double s = step.value_or(1.0);
    if (!from || !to) return out;
    if (s <= 0) {
      d.add(file, r + "/step", "expected a step > 0");
    } else if (*from > *to) {
      d.add(file, r, "empty range: from " + as_value(*from).dump() + " is above to " +
                         as_value(*to).dump());
    } else if ((*to - *from) / s + 1 > kMaxValuesPerRange) {
      d.add(file, r, "range has more than 1e6 values");
    } else {
      const long n = static_cast<long>(std::floor((*to - *from) / s + 1e-9)) + 1;
      for (long i = 0; i < n; ++i) out.values.push_back(as_value(*from + i * s));
    }
  } else {
    const std::string r = at + "/log_range";
    const json& j = p["log_range"];
    if (!j.is_object()) {
      d.add(file, r, "expected {\"from\", \"to\", \"factor\"}");
      return out;
    }
    report_unknown_keys(j, file, r, {"from", "to", "factor"}, d);
    auto from = number(j, "from", file, r, d, true), to = number(j, "to", file, r, d, true);
    auto factor = number(j, "factor", file, r, d, false);
    const double f = factor.value_or(2.0);
    if (!from || !to) return out;
    if (f <= 1.0) {
      d.add(file, r + "/factor", "expected a factor > 1");
    } else if (*from <= 0) {
      d.add(file, r + "/from", "expected from > 0 for a logarithmic range");
    } else if (*from > *to) {
      d.add(file, r, "empty range: from " + as_value(*from).dump() + " is above to " +
                         as_value(*to).dump());
    } else {
      for (double x = *from; x <= *to * (1 + 1e-12); x *= f) out.values.push_back(as_value(x));
    }
  }
  return out;
}

// Replaces every part given as a path by the JSON it names.
json inline_parts(json base, const std::string& base_path, Diagnostics& d) {
  const std::string dir = dir_of(base_path);
  for (const char* part : {"model", "cluster", "plan", "precision", "training"}) {
    if (!base.contains(part) || !base[part].is_string()) continue;
    const std::string rel = base[part];
    const std::string path = join(dir, rel);
    json sub = read_json_file(path, path, d);
    if (sub.is_null()) continue;
    rebase_part_references(sub, part, dir_of(path), dir);
    base[part] = std::move(sub);
  }
  return base;
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

const char* to_string(SweepObjective o) {
  switch (o) {
    case SweepObjective::kCost: return "cost_usd";
    case SweepObjective::kGpuHours: return "gpu_hours";
    case SweepObjective::kWallTime: return "wall_time_s";
  }
  return "?";
}

std::string sweep_fingerprint(const SweepSpec& s) {
  json params = json::array();
  for (const auto& p : s.parameters) params.push_back(json{{"path", p.path}, {"values", p.values}});
  const json c{{"must_fit", s.constraints.must_fit},
               {"min_gpus", s.constraints.min_gpus.value_or(0)},
               {"max_gpus", s.constraints.max_gpus.value_or(0)},
               {"max_wall_days", s.constraints.max_wall_days.value_or(0)},
               {"max_cost_usd", s.constraints.max_cost_usd.value_or(0)}};
  const json all{{"base", s.base},
                 {"parameters", params},
                 {"combine", s.combine == SweepCombine::kZip ? "zip" : "grid"},
                 {"sample", s.sample_count.value_or(0)},
                 {"seed", s.sample_seed},
                 {"derive_dp", s.derive_dp},
                 {"fidelity", s.des ? "des" : "analytic"},
                 {"constraints", c}};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a(all.dump())));
  return buf;
}

SweepSpec load_sweep_spec(const std::string& path) {
  Diagnostics d;
  const json j = read_json_file(path, path, d);
  d.throw_if_any();
  return parse_sweep_spec(j, path);
}

SweepSpec parse_sweep_spec(const json& j, const std::string& path) {
  Diagnostics d;
  SweepSpec s;
  s.file = path;
  if (!j.is_object()) {
    d.add(path, "", "expected a JSON object (a sweep spec)");
    d.throw_if_any();
  }
  report_unknown_keys(j, path, "",
             {"description", "base", "parameters", "combine", "sample", "derive", "constraints",
              "objective", "top", "fidelity"},
             d);
  // Base scenario.
  if (!j.contains("base") || !j["base"].is_string()) {
    d.add(path, "/base", "expected the path of the base scenario file (a string)");
  } else {
    s.base_path = join(dir_of(path), j["base"].get<std::string>());
    Diagnostics bd;
    json base = read_json_file(s.base_path, s.base_path, bd);
    if (!base.is_null()) base = inline_parts(std::move(base), s.base_path, bd);
    if (bd.empty()) {
      s.base = std::move(base);
      s.base_dir = dir_of(s.base_path);
      try {
        parse_scenario(s.base, s.base_path, s.base_dir);
      } catch (const InputError& e) {
        bd.append(e.diagnostics());
      }
    }
    d.append(bd);
  }
  // Parameters.
  if (!j.contains("parameters") || !j["parameters"].is_array() || j["parameters"].empty()) {
    d.add(path, "/parameters", "expected a non-empty array of parameters");
  } else {
    for (size_t i = 0; i < j["parameters"].size(); ++i)
      s.parameters.push_back(
          parse_parameter(j["parameters"][i], path, "/parameters/" + std::to_string(i), d));
  }
  if (j.contains("combine")) {
    const json& c = j["combine"];
    if (c == "grid") {
      s.combine = SweepCombine::kGrid;
    } else if (c == "zip") {
      s.combine = SweepCombine::kZip;
    } else {
      d.add(path, "/combine", "expected \"grid\" or \"zip\", found " + c.dump());
    }
  }
  if (j.contains("sample")) {
    const json& sm = j["sample"];
    if (!sm.is_object()) {
      d.add(path, "/sample", "expected {\"count\": N, \"seed\": S}");
    } else {
      report_unknown_keys(sm, path, "/sample", {"count", "seed"}, d);
      if (!sm.contains("count") || !sm["count"].is_number_integer() || sm["count"].get<long>() < 1)
        d.add(path, "/sample/count", "expected a positive integer");
      else if (sm["count"].get<double>() > kMaxSample)
        d.add(path, "/sample/count",
              "expected at most 10,000,000 (a sample's drawn points are held in memory; a "
              "grid of up to 1e9 points runs without \"sample\"), found " + sm["count"].dump());
      else
        s.sample_count = sm["count"].get<int>();
      if (sm.contains("seed")) {
        if (!sm["seed"].is_number_unsigned())
          d.add(path, "/sample/seed", "expected a non-negative integer");
        else
          s.sample_seed = sm["seed"].get<uint64_t>();
      }
    }
  }
  if (j.contains("derive")) {
    const json& dv = j["derive"];
    if (!dv.is_object()) {
      d.add(path, "/derive", "expected {\"dp\": true}");
    } else {
      report_unknown_keys(dv, path, "/derive", {"dp"}, d);
      if (dv.contains("dp")) {
        if (!dv["dp"].is_boolean())
          d.add(path, "/derive/dp", "expected true or false");
        else
          s.derive_dp = dv["dp"];
      }
    }
  }
  if (j.contains("constraints")) {
    const json& c = j["constraints"];
    const std::string at = "/constraints";
    if (!c.is_object()) {
      d.add(path, at, "expected an object");
    } else {
      report_unknown_keys(c, path, at, {"must_fit", "min_gpus", "max_gpus", "max_wall_days", "max_cost_usd"},
                 d);
      if (c.contains("must_fit")) {
        if (!c["must_fit"].is_boolean())
          d.add(path, at + "/must_fit", "expected true or false");
        else
          s.constraints.must_fit = c["must_fit"];
      }
      for (const char* k : {"min_gpus", "max_gpus"}) {
        if (!c.contains(k)) continue;
        if (!c[k].is_number_integer() || c[k].get<long>() < 1) {
          d.add(path, at + "/" + k, "expected a positive integer");
        } else {
          (std::string(k) == "min_gpus" ? s.constraints.min_gpus : s.constraints.max_gpus) =
              c[k].get<int>();
        }
      }
      for (const char* k : {"max_wall_days", "max_cost_usd"}) {
        auto v = number(c, k, path, at, d, false);
        if (!v) continue;
        if (*v <= 0)
          d.add(path, at + "/" + k, "expected a limit > 0");
        else
          (std::string(k) == "max_wall_days" ? s.constraints.max_wall_days
                                             : s.constraints.max_cost_usd) = *v;
      }
      if (s.constraints.min_gpus && s.constraints.max_gpus &&
          *s.constraints.min_gpus > *s.constraints.max_gpus)
        d.add(path, at, "contradictory constraints: min_gpus " +
                            std::to_string(*s.constraints.min_gpus) + " exceeds max_gpus " +
                            std::to_string(*s.constraints.max_gpus) + "; no scenario can satisfy both");
    }
  }
  if (j.contains("objective")) {
    const json& o = j["objective"];
    if (o == "cost_usd") {
      s.objective = SweepObjective::kCost;
    } else if (o == "gpu_hours") {
      s.objective = SweepObjective::kGpuHours;
    } else if (o == "wall_time_s") {
      s.objective = SweepObjective::kWallTime;
    } else {
      d.add(path, "/objective",
            "expected \"cost_usd\", \"gpu_hours\" or \"wall_time_s\", found " + o.dump());
    }
  }
  if (j.contains("fidelity")) {
    if (j["fidelity"] == "des") {
      s.des = true;
    } else if (j["fidelity"] != "analytic") {
      d.add(path, "/fidelity", "expected \"analytic\" or \"des\", found " + j["fidelity"].dump());
    }
  }
  if (j.contains("top")) {
    if (!j["top"].is_number_integer() || j["top"].get<long>() < 1)
      d.add(path, "/top", "expected a positive integer");
    else
      s.top = j["top"];
  }
  d.throw_if_any();

  // Whole-spec checks, once every part is readable.
  if (s.combine == SweepCombine::kZip) {
    for (size_t i = 1; i < s.parameters.size(); ++i)
      if (s.parameters[i].values.size() != s.parameters[0].values.size())
        d.add(path, "/parameters/" + std::to_string(i),
              "zip needs equal lengths: " + std::to_string(s.parameters[i].values.size()) +
                  " values here, " + std::to_string(s.parameters[0].values.size()) +
                  " in /parameters/0");
  } else if (!s.sample_count) {
    double total = 1;
    for (const auto& p : s.parameters) total *= static_cast<double>(p.values.size());
    if (total > kMaxPoints)
      d.add(path, "/parameters", "the grid has more than 1e9 points; add \"sample\" to draw a subset");
  }
  for (size_t i = 0; i < s.parameters.size(); ++i) {
    const std::string& p = s.parameters[i].path;
    const std::string at = "/parameters/" + std::to_string(i) + "/path";
    for (size_t k = 0; k < i; ++k)
      if (s.parameters[k].path == p) d.add(path, at, "parameter " + p + " is listed twice");
    json::json_pointer ptr;
    try {
      ptr = json::json_pointer(p);
    } catch (const json::exception&) {
      d.add(path, at,
            "not a JSON pointer: \"" + p.substr(0, 60) +
                "\" (a path like \"/plan/ep\"; '~' must be written ~0 and '/' in a key ~1)");
      continue;
    }
    // Missing objects on the way are created (e.g. /training/routing/... on a
    // base without a routing model), as long as the base has the part.
    json::json_pointer existing = ptr.parent_pointer();
    while (!existing.empty() && !s.base.contains(existing)) existing = existing.parent_pointer();
    const bool reachable = ptr.parent_pointer().empty() ||
                           (!existing.empty() && s.base.at(existing).is_object());
    if (!reachable) {
      d.add(path, at, "unknown parameter " + p + ": the base scenario has no " +
                          ptr.parent_pointer().to_string());
      continue;
    }
    if (s.base.contains(ptr)) continue;
    // A key the base leaves to its default: the scenario parser decides whether
    // it exists (and suggests the closest one when it does not).
    json probe = s.base;
    probe[ptr] = s.parameters[i].values.front();
    try {
      parse_scenario(probe, s.base_path, s.base_dir);
    } catch (const InputError& e) {
      for (const auto& diag : e.diagnostics().items())
        if (diag.message.rfind("unknown key", 0) == 0)
          d.add(path, at, "unknown parameter " + p + ": " + diag.message);
    }
  }
  d.throw_if_any();
  return s;
}

}  // namespace moesim
