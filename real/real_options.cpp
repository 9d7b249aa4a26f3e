#include "real/real_options.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace moesim::real {

namespace {

// Edit distance, for did-you-mean on mistyped options.
size_t distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string suggestion(const std::string& word, const std::vector<std::string>& known) {
  std::string best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& k : known) {
    const size_t d = distance(word, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best.empty() ? "" : "; did you mean " + best + "?";
}

long long parse_int(const RawOptions& o, const std::string& name, long long lo, long long hi,
                    long long fallback) {
  auto it = o.values.find(name);
  if (it == o.values.end()) return fallback;
  const std::string& v = it->second;
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < lo || n > hi)
    throw UsageError(name + ": expected an integer in " + std::to_string(lo) + ".." +
                     std::to_string(hi) + ", found \"" + v + "\"");
  return n;
}

double parse_positive(const RawOptions& o, const std::string& name, double hi, double fallback) {
  auto it = o.values.find(name);
  if (it == o.values.end()) return fallback;
  const std::string& v = it->second;
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(x) || x <= 0 || x > hi)
    throw UsageError(name + ": expected a number in (0, " + std::to_string(hi).substr(0, 8) +
                     "], found \"" + v + "\"");
  return x;
}

std::string value_or(const RawOptions& o, const std::string& name, const std::string& fallback) {
  auto it = o.values.find(name);
  return it == o.values.end() ? fallback : it->second;
}

TimingOptions parse_timing(const RawOptions& o) {
  TimingOptions t;
  t.warmup = static_cast<int>(parse_int(o, "--warmup", 0, 100000, t.warmup));
  t.repeats = static_cast<int>(parse_int(o, "--repeats", 1, 100000, t.repeats));
  return t;
}

void no_positional(const RawOptions& o, const std::string& command) {
  if (!o.positional.empty())
    throw UsageError(command + " takes no positional argument, found \"" + o.positional[0] + "\"");
}

}  // namespace

RawOptions parse_raw_options(const std::vector<std::string>& args,
                             const std::vector<std::string>& value_options,
                             const std::vector<std::string>& flag_options) {
  RawOptions o;
  std::vector<std::string> known = value_options;
  known.insert(known.end(), flag_options.begin(), flag_options.end());
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 && a != "-h") {
      o.positional.push_back(a);
      continue;
    }
    if (a == "-h") {
      o.flags.insert("--help");
      continue;
    }
    const size_t eq = a.find('=');
    const std::string name = a.substr(0, eq);
    const bool is_value = std::find(value_options.begin(), value_options.end(), name) !=
                          value_options.end();
    const bool is_flag = std::find(flag_options.begin(), flag_options.end(), name) !=
                         flag_options.end();
    if (is_flag && eq == std::string::npos) {
      o.flags.insert(name);
    } else if (is_value) {
      if (eq != std::string::npos) {
        o.values[name] = a.substr(eq + 1);
      } else if (i + 1 < args.size()) {
        o.values[name] = args[++i];
      } else {
        throw UsageError(name + " needs a value");
      }
    } else {
      throw UsageError("unknown option " + name + suggestion(name, known));
    }
  }
  return o;
}

ProfileOptions parse_profile_options(const std::vector<std::string>& args) {
  const RawOptions o = parse_raw_options(args, {"--shapes", "--out", "--gpu", "--warmup", "--repeats"},
                                         {"--help", "--skip-untileable"});
  ProfileOptions p;
  p.help = o.flags.count("--help") > 0;
  if (p.help) return p;
  no_positional(o, "profile");
  p.shapes = value_or(o, "--shapes", "");
  p.out = value_or(o, "--out", "");
  if (p.shapes.empty()) throw UsageError("profile needs --shapes FILE (written by `moesim shapes`)");
  if (p.out.empty()) throw UsageError("profile needs --out FILE (the calibration profile)");
  p.gpu = value_or(o, "--gpu", "");
  p.timing = parse_timing(o);
  p.skip_untileable = o.flags.count("--skip-untileable") > 0;
  return p;
}

LayerOptions parse_layer_options(const std::vector<std::string>& args) {
  const RawOptions o = parse_raw_options(
      args, {"--kind", "--scale", "--tokens", "--out", "--trace-out", "--warmup", "--repeats"},
      {"--help"});
  LayerOptions l;
  l.help = o.flags.count("--help") > 0;
  if (l.help) return l;
  no_positional(o, "layer");
  const std::string kind = value_or(o, "--kind", "moe");
  if (kind == "dense") l.kind = LayerKindOption::kDense;
  else if (kind == "moe") l.kind = LayerKindOption::kMoe;
  else throw UsageError("--kind: expected dense or moe, found \"" + kind + "\"");
  l.scale = parse_positive(o, "--scale", 1.0, l.scale);
  l.tokens = static_cast<int>(parse_int(o, "--tokens", 128, 1 << 20, l.tokens));
  if (l.tokens % 128 != 0)
    throw UsageError("--tokens: " + std::to_string(l.tokens) +
                     " is not a multiple of 128 (the FP8 recipe tiles tokens by 128 in the "
                     "weight-gradient GEMMs)");
  l.out = value_or(o, "--out", "");
  l.trace_out = value_or(o, "--trace-out", "");
  l.timing = parse_timing(o);
  return l;
}

OverlapOptions parse_overlap_options(const std::vector<std::string>& args) {
  const RawOptions o = parse_raw_options(
      args, {"--profile", "--comm-sms", "--comm-gbps", "--warmup", "--repeats"}, {"--help"});
  OverlapOptions v;
  v.help = o.flags.count("--help") > 0;
  if (v.help) return v;
  no_positional(o, "overlap");
  v.profile = value_or(o, "--profile", "");
  if (v.profile.empty())
    throw UsageError("--profile: the calibration profile to add the figure to is required");
  v.comm_sms = static_cast<int>(parse_int(o, "--comm-sms", 1, 64, v.comm_sms));
  v.comm_gbps = parse_positive(o, "--comm-gbps", 10000, v.comm_gbps);
  v.timing = parse_timing(o);
  return v;
}

StepOptions parse_step_options(const std::vector<std::string>& args) {
  const RawOptions o = parse_raw_options(args,
                                         {"--timeout", "--id-file", "--run-tag", "--tokens",
                                          "--scale", "--pp-stride", "--out", "--warmup",
                                          "--repeats"},
                                         {"--help"});
  StepOptions s;
  s.help = o.flags.count("--help") > 0;
  if (s.help) return s;
  no_positional(o, "step");
  s.timeout_s = parse_positive(o, "--timeout", 86400, s.timeout_s);
  s.id_file = value_or(o, "--id-file", "");
  s.run_tag = value_or(o, "--run-tag", "");
  s.tokens = static_cast<int>(parse_int(o, "--tokens", 128, 1 << 20, s.tokens));
  if (s.tokens % 128 != 0)
    throw UsageError("--tokens: " + std::to_string(s.tokens) + " is not a multiple of 128");
  s.scale = parse_positive(o, "--scale", 1.0, s.scale);
  s.pp_peer_stride = static_cast<int>(parse_int(o, "--pp-stride", 0, 1 << 20, 0));
  s.out = value_or(o, "--out", "");
  s.timing = parse_timing(o);
  return s;
}

}  // namespace moesim::real
