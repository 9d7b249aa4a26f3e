#include "sim/trace/kineto_trace.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <memory>

#include "sim/core/diagnostics.h"

namespace moesim {

using nlohmann::json;

namespace {

constexpr size_t kMaxTraceBytes = size_t{4} << 30;  // decompressed; larger traces: split them

// The whole file, gunzipped when it is gzip (zlib reads plain files as they are).
std::string read_maybe_gzip(const std::string& path, Diagnostics& d) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  if (!f) {
    d.add(path, "", "cannot open the trace file");
    return {};
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const int n = gzread(f.get(), buf, sizeof buf);
    if (n < 0) {
      int code = 0;
      d.add(path, "", std::string("cannot read the trace: ") + gzerror(f.get(), &code));
      return {};
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxTraceBytes) {
      d.add(path, "", "the trace is larger than 4 GiB decompressed: profile fewer steps");
      return {};
    }
  }
  return out;
}

double number_or(const json& e, const char* key, double fallback) {
  const auto it = e.find(key);
  return it != e.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string utc_date(double ts_us) {
  if (!(ts_us > 0) || ts_us > 1e17) return "";
  const std::time_t t = static_cast<std::time_t>(ts_us / 1e6);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return "";
  char b[16];
  std::strftime(b, sizeof b, "%Y-%m-%d", &tm);
  return b;
}

// Indices of the annotations containing `t`, innermost (shortest) first.
std::vector<int> containing(const std::vector<TraceAnnotation>& a, const std::vector<int>& subset,
                            double t) {
  std::vector<int> out;
  for (int i : subset) {
    const TraceAnnotation& x = a[static_cast<size_t>(i)];
    if (x.start_us <= t && t <= x.start_us + x.dur_us) out.push_back(i);
  }
  std::stable_sort(out.begin(), out.end(), [&](int p, int q) {
    return a[static_cast<size_t>(p)].dur_us < a[static_cast<size_t>(q)].dur_us;
  });
  return out;
}

}  // namespace

KernelTrace parse_kineto_trace(const json& j, const std::string& file) {
  Diagnostics d;
  KernelTrace tr;
  tr.file = file;
  const json* events = nullptr;
  if (j.is_object() && j.contains("traceEvents")) events = &j["traceEvents"];
  else if (j.is_array()) events = &j;  // a bare event list is valid Chrome trace JSON
  if (!events || !events->is_array()) {
    d.add(file, "/traceEvents", "expected an array of trace events (a PyTorch profiler trace)");
    throw InputError(d);
  }
  if (j.is_object()) {
    if (j.contains("deviceProperties") && j["deviceProperties"].is_array() &&
        !j["deviceProperties"].empty() && j["deviceProperties"][0].is_object() &&
        j["deviceProperties"][0].contains("name") && j["deviceProperties"][0]["name"].is_string())
      tr.device = j["deviceProperties"][0]["name"];
    if (j.contains("distributedInfo") && j["distributedInfo"].is_object()) {
      tr.rank = static_cast<int>(number_or(j["distributedInfo"], "rank", -1));
      tr.world_size = static_cast<int>(number_or(j["distributedInfo"], "world_size", -1));
    }
  }
  std::map<long long, double> launch_ts;  // correlation -> launch time (CPU)
  std::vector<int> cpu_ann, gpu_ann;
  struct Raw {
    TraceKernel k;
    long long correlation;
  };
  std::vector<Raw> raw;
  double first = 0;
  for (size_t i = 0; i < events->size(); ++i) {
    const json& e = (*events)[i];
    if (!e.is_object()) {
      d.add(file, "/traceEvents/" + std::to_string(i), "expected an event object");
      continue;
    }
    const auto cat = e.find("cat");
    if (cat == e.end() || !cat->is_string()) continue;
    const std::string& c = cat->get_ref<const std::string&>();
    const auto ts = e.find("ts");
    if (ts != e.end() && ts->is_number() && (first == 0 || ts->get<double>() < first))
      first = ts->get<double>();
    const bool kernel = c == "kernel" || c == "gpu_memcpy" || c == "gpu_memset";
    const bool launch = c == "cuda_runtime" || c == "cuda_driver";
    const bool annotation = c == "user_annotation" || c == "gpu_user_annotation";
    if (!kernel && !launch && !annotation) continue;
    const std::string at = "/traceEvents/" + std::to_string(i);
    const double dur = number_or(e, "dur", -1);
    if (ts == e.end() || !ts->is_number() || !std::isfinite(ts->get<double>()) || !(dur >= 0) ||
        !std::isfinite(dur)) {
      d.add(file, at, "a " + c + " event needs numbers \"ts\" and \"dur\" >= 0");
      continue;
    }
    const json& args = e.contains("args") && e["args"].is_object() ? e["args"] : json::object();
    if (launch) {
      if (args.contains("correlation") && args["correlation"].is_number_integer())
        launch_ts[args["correlation"].get<long long>()] = ts->get<double>();
      continue;
    }
    const std::string name =
        e.contains("name") && e["name"].is_string() ? e["name"].get<std::string>() : "";
    if (annotation) {
      (c == "user_annotation" ? cpu_ann : gpu_ann).push_back(static_cast<int>(tr.annotations.size()));
      tr.annotations.push_back({name, ts->get<double>(), dur});
      continue;
    }
    Raw r;
    r.k.name = c == "kernel" ? name : c + " " + name;
    r.k.stream = static_cast<int>(number_or(args, "stream", number_or(e, "tid", 0)));
    r.k.start_us = ts->get<double>();
    r.k.dur_us = dur;
    r.correlation = args.contains("correlation") && args["correlation"].is_number_integer()
                        ? args["correlation"].get<long long>()
                        : -1;
    raw.push_back(std::move(r));
  }
  d.throw_if_any();
  if (raw.empty()) {
    d.add(file, "/traceEvents", "no GPU kernels (cat \"kernel\"): was the profiler's CUDA "
                                "activity on (ProfilerActivity.CUDA)?");
    throw InputError(d);
  }
  tr.date = utc_date(first);
  for (Raw& r : raw) {
    // GPU annotations hold the kernel itself; CPU ones hold its launch.
    std::vector<int> a = containing(tr.annotations, gpu_ann, r.k.start_us);
    if (a.empty()) {
      const auto it = launch_ts.find(r.correlation);
      if (it != launch_ts.end()) a = containing(tr.annotations, cpu_ann, it->second);
    }
    r.k.annotations = std::move(a);
    tr.kernels.push_back(std::move(r.k));
  }
  std::stable_sort(tr.kernels.begin(), tr.kernels.end(), [](const TraceKernel& p, const TraceKernel& q) {
    return p.start_us != q.start_us ? p.start_us < q.start_us : p.stream < q.stream;
  });
  return tr;
}

KernelTrace load_kineto_trace(const std::string& path) {
  Diagnostics d;
  const std::string text = read_maybe_gzip(path, d);
  d.throw_if_any();
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    std::string what = e.what();
    if (what.size() > 200) what = what.substr(0, 200) + "...";
    d.add(path, "", "invalid JSON (after gunzip where gzipped): " + what);
    throw InputError(d);
  }
  return parse_kineto_trace(j, path);
}

}  // namespace moesim
