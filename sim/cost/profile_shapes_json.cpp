// The "moesim-shapes-1" file format of sim/cost/profile_shapes.h: writing and
// checked reading (every problem collected, with file and JSON path).
#include <cmath>
#include <utility>

#include "sim/core/diagnostics.h"
#include "sim/core/json_checks.h"
#include "sim/cost/profile_shapes.h"

namespace moesim {

using nlohmann::json;

namespace {

// Integral values as JSON integers (shapes read better), others as doubles.
json number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9e15)
    return static_cast<long long>(v);
  return v;
}

bool read_positive(const json& e, const char* key, const std::string& file, const std::string& at,
                   Diagnostics& d, double* out, bool required) {
  if (!e.contains(key)) {
    if (required) d.add(file, at + "/" + key, "missing; expected a number > 0");
    return false;
  }
  const json& v = e[key];
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() <= 0) {
    d.add(file, at + "/" + key, "expected a number > 0, found " + v.dump());
    return false;
  }
  *out = v.get<double>();
  return true;
}

bool read_nonnegative(const json& e, const char* key, const std::string& file,
                      const std::string& at, Diagnostics& d, double* out) {
  if (!e.contains(key)) return false;
  const json& v = e[key];
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0) {
    d.add(file, at + "/" + key, "expected a number >= 0, found " + v.dump());
    return false;
  }
  *out = v.get<double>();
  return true;
}

}  // namespace

json to_json(const ProfileShapeList& l) {
  json shapes = json::array();
  for (const auto& s : l.shapes) {
    json e = {{"name", s.name}, {"names", s.names}, {"class", to_string(s.op_class)},
              {"dtype", s.fp8 ? "fp8" : "bf16"}, {"pass", pass_code(s.pass)}};
    switch (s.op_class) {
      case ProfileClass::kGemm:
      case ProfileClass::kGroupedGemm:
        e["m"] = number(s.m);
        e["n"] = number(s.n);
        e["k"] = number(s.k);
        e["groups"] = s.groups;
        break;
      case ProfileClass::kAttention:
        e["tokens"] = number(s.attention.tokens);
        e["seq_len"] = number(s.attention.seq_len);
        e["heads"] = number(s.attention.heads);
        e["kv_heads"] = number(s.attention.kv_heads);
        e["head_dim_qk"] = number(s.attention.head_dim_qk);
        e["head_dim_v"] = number(s.attention.head_dim_v);
        break;
      case ProfileClass::kMemory:
        if (s.rows > 0) {
          e["rows"] = number(s.rows);
          e["cols"] = number(s.cols);
        }
        break;
    }
    e["flops"] = number(s.flops);
    e["bytes"] = number(s.bytes);
    shapes.push_back(e);
  }
  return json{{"format", kShapesFormat}, {"scenario", l.scenario}, {"model", l.model},
              {"gpu", l.gpu},          {"precision", l.precision}, {"tp", l.tp},
              {"ep", l.ep},            {"shapes", shapes}};
}

ProfileShapeList parse_profile_shapes(const json& j, const std::string& file) {
  Diagnostics d;
  ProfileShapeList l;
  if (!j.is_object()) {
    d.add(file, "", "expected a JSON object (a shape list written by `moesim shapes`)");
    throw InputError(d);
  }
  report_unknown_keys(j, file, "",
                      {"format", "scenario", "model", "gpu", "precision", "tp", "ep", "shapes"}, d);
  if (!j.contains("format") || j["format"] != kShapesFormat)
    d.add(file, "/format", std::string("expected \"") + kShapesFormat + "\", found " +
                               (j.contains("format") ? j["format"].dump() : std::string("nothing")));
  const std::pair<const char*, std::string*> strings[] = {
      {"scenario", &l.scenario}, {"model", &l.model}, {"gpu", &l.gpu}, {"precision", &l.precision}};
  for (const auto& [key, into] : strings) {
    if (!j.contains(key)) continue;
    if (!j[key].is_string())
      d.add(file, std::string("/") + key, "expected a string");
    else
      *into = j[key].get<std::string>();
  }
  const std::pair<const char*, int*> ints[] = {{"tp", &l.tp}, {"ep", &l.ep}};
  for (const auto& [key, into] : ints) {
    if (!j.contains(key)) continue;
    if (!j[key].is_number_integer() || j[key].get<long long>() < 1)
      d.add(file, std::string("/") + key, "expected an integer >= 1, found " + j[key].dump());
    else
      *into = j[key].get<int>();
  }
  if (!j.contains("shapes") || !j["shapes"].is_array() || j["shapes"].empty()) {
    d.add(file, "/shapes", "expected a non-empty array of shapes");
    throw InputError(d);
  }
  const json& arr = j["shapes"];
  for (size_t i = 0; i < arr.size(); ++i) {
    const json& e = arr[i];
    const std::string at = "/shapes/" + std::to_string(i);
    if (!e.is_object()) {
      d.add(file, at, "expected an object");
      continue;
    }
    report_unknown_keys(e, file, at,
                        {"name", "names", "class", "dtype", "pass", "m", "n", "k", "groups",
                         "tokens", "seq_len", "heads", "kv_heads", "head_dim_qk", "head_dim_v",
                         "rows", "cols", "flops", "bytes"},
                        d);
    ProfileShape s;
    if (!e.contains("name") || !e["name"].is_string() || e["name"].get<std::string>().empty()) {
      d.add(file, at + "/name", "expected the graph op's name (a non-empty string)");
      continue;
    }
    s.name = e["name"];
    s.names = {s.name};
    if (e.contains("names")) {
      if (!e["names"].is_array()) {
        d.add(file, at + "/names", "expected an array of op names");
      } else {
        s.names.clear();
        for (const auto& n : e["names"]) {
          if (n.is_string()) s.names.push_back(n);
          else d.add(file, at + "/names", "expected strings, found " + n.dump());
        }
      }
    }
    const std::string cls = e.value("class", "");
    if (cls == "gemm") s.op_class = ProfileClass::kGemm;
    else if (cls == "grouped_gemm") s.op_class = ProfileClass::kGroupedGemm;
    else if (cls == "attention") s.op_class = ProfileClass::kAttention;
    else if (cls == "memory") s.op_class = ProfileClass::kMemory;
    else {
      d.add(file, at + "/class",
            "expected \"gemm\", \"grouped_gemm\", \"attention\" or \"memory\", found " +
                (e.contains("class") ? e["class"].dump() : std::string("nothing")));
      continue;
    }
    const std::string dtype = e.value("dtype", "");
    if (dtype != "fp8" && dtype != "bf16") {
      d.add(file, at + "/dtype", "expected \"fp8\" or \"bf16\"");
      continue;
    }
    s.fp8 = dtype == "fp8";
    const std::string pass = e.value("pass", "");
    if (pass == "F") s.pass = Pass::kForward;
    else if (pass == "B") s.pass = Pass::kBackwardInput;
    else if (pass == "W") s.pass = Pass::kBackwardWeight;
    else {
      d.add(file, at + "/pass", "expected \"F\", \"B\" or \"W\"");
      continue;
    }
    read_nonnegative(e, "flops", file, at, d, &s.flops);
    read_nonnegative(e, "bytes", file, at, d, &s.bytes);
    switch (s.op_class) {
      case ProfileClass::kGemm:
      case ProfileClass::kGroupedGemm: {
        read_positive(e, "m", file, at, d, &s.m, true);
        read_positive(e, "n", file, at, d, &s.n, true);
        read_positive(e, "k", file, at, d, &s.k, true);
        if (e.contains("groups")) {
          if (!e["groups"].is_number_integer() || e["groups"].get<long long>() < 1)
            d.add(file, at + "/groups", "expected an integer >= 1");
          else
            s.groups = e["groups"].get<int>();
        }
        break;
      }
      case ProfileClass::kAttention: {
        AttentionDims& a = s.attention;
        read_positive(e, "tokens", file, at, d, &a.tokens, true);
        read_positive(e, "seq_len", file, at, d, &a.seq_len, true);
        read_positive(e, "heads", file, at, d, &a.heads, true);
        read_positive(e, "kv_heads", file, at, d, &a.kv_heads, true);
        read_positive(e, "head_dim_qk", file, at, d, &a.head_dim_qk, true);
        read_positive(e, "head_dim_v", file, at, d, &a.head_dim_v, true);
        break;
      }
      case ProfileClass::kMemory: {
        const bool rows = read_positive(e, "rows", file, at, d, &s.rows, false);
        const bool cols = read_positive(e, "cols", file, at, d, &s.cols, false);
        if (rows != cols) d.add(file, at, "a memory shape gives both \"rows\" and \"cols\" or neither");
        if (s.bytes <= 0) d.add(file, at + "/bytes", "a memory shape needs its bytes (> 0)");
        break;
      }
    }
    l.shapes.push_back(std::move(s));
  }
  d.throw_if_any();
  return l;
}

ProfileShapeList load_profile_shapes(const std::string& path) {
  Diagnostics d;
  const json j = read_json_file(path, path, d);
  d.throw_if_any();
  return parse_profile_shapes(j, path);
}

}  // namespace moesim
