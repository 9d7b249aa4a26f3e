#include "real/profile_writer.h"

#include <cstdio>
#include <stdexcept>

#include "sim/core/atomic_file.h"
#include "sim/core/diagnostics.h"
#include "sim/hw/calibration_profile.h"

namespace moesim::real {

using nlohmann::json;

namespace {

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string entry_source(const ShapeMeasurement& m, const TimingOptions& t) {
  return std::string("moesim-real profile: pass ") + pass_code(m.shape.pass) + ", median of " +
         std::to_string(m.stats.repeats) + " after " + std::to_string(t.warmup) +
         " warm-up; min " + fmt("%.4g", m.stats.min_s) + " s, max " + fmt("%.4g", m.stats.max_s) +
         " s";
}

json gemm_number(double v) {
  if (v == static_cast<double>(static_cast<long long>(v))) return static_cast<long long>(v);
  return v;
}

}  // namespace

json device_record_json(const DeviceRecord& d) {
  json device = {{"name", d.name},
                 {"sm_count", d.sm_count},
                 {"driver", d.driver_version},
                 {"cuda", d.runtime_version},
                 {"clocks", json{{"sm_max_khz", d.sm_clock_max_khz},
                                 {"mem_max_khz", d.mem_clock_max_khz}}},
                 {"date", d.date}};
  if (d.nccl_version > 0) device["nccl"] = d.nccl_version;
  if (!d.host.empty()) device["host"] = d.host;
  return device;
}

json calibration_profile_json(const ProfileRun& run) {
  json entries = json::array();
  json timings = json::array();
  for (const auto& m : run.measured) {
    const ProfileShape& s = m.shape;
    json e;
    switch (s.op_class) {
      case ProfileClass::kGemm:
      case ProfileClass::kGroupedGemm:
        e = {{"op", "gemm"},          {"dtype", s.fp8 ? "fp8" : "bf16"}, {"m", gemm_number(m.m)},
             {"n", gemm_number(m.n)}, {"k", gemm_number(m.k)},           {"groups", m.groups},
             {"time_s", m.stats.median_s}};
        break;
      case ProfileClass::kAttention:
        e = {{"op", "attention"},
             {"dtype", s.fp8 ? "fp8" : "bf16"},
             {"tflops", s.flops / m.stats.median_s / 1e12}};
        break;
      case ProfileClass::kMemory:
        e = {{"op", "memory"}, {"dtype", "bf16"}, {"gb_per_s", s.bytes / m.stats.median_s / 1e9}};
        break;
    }
    e["name"] = s.name;
    e["source"] = entry_source(m, run.timing);
    entries.push_back(e);
    timings.push_back(json{{"shape", m.index},        {"name", s.name},
                           {"pass", pass_code(s.pass)}, {"class", to_string(s.op_class)},
                           {"median_s", m.stats.median_s}, {"min_s", m.stats.min_s},
                           {"max_s", m.stats.max_s},   {"p10_s", m.stats.p10_s},
                           {"p90_s", m.stats.p90_s},   {"mean_s", m.stats.mean_s},
                           {"repeats", m.stats.repeats}});
  }
  json skipped = json::array();
  for (const auto& s : run.skipped)
    skipped.push_back(json{{"shape", s.index},
                           {"name", s.shape.name},
                           {"pass", pass_code(s.shape.pass)},
                           {"class", to_string(s.shape.op_class)},
                           {"reason", s.reason}});
  const DeviceRecord& d = run.device;
  const json device = device_record_json(d);
  json about = {{"tool", "moesim-real profile"},
                {"shapes_file", run.shapes_file},
                {"scenario", run.list.scenario},
                {"model", run.list.model},
                {"warmup", run.timing.warmup},
                {"repeats", run.timing.repeats},
                {"method", run.method},
                {"timings", timings},
                {"skipped", skipped}};
  return json{{"format", "moesim-calibration-1"},
              {"gpu", run.gpu},
              {"measured", true},
              {"device", device},
              {"source", "measured by moesim-real profile on " + d.name + " (" + d.date +
                             "), kernels/ (cuBLASLt FP8/BF16 GEMMs and the project's kernels)"},
              {"about", about},
              {"entries", entries}};
}

void write_calibration_profile(const std::string& path, const ProfileRun& run) {
  if (run.measured.empty())
    throw std::runtime_error("no shape of " + run.shapes_file +
                             " could be measured (see the skipped list above); " + path +
                             " not written");
  const json j = calibration_profile_json(run);
  const std::string text = j.dump(2) + "\n";
  try {
    parse_calibration_profile(j, path);
  } catch (const InputError&) {
    write_file_atomically(path + ".rejected", text);
    throw;
  }
  write_file_atomically(path, text);
}

std::optional<std::string> catalog_gpu_for_device(const std::string& name) {
  auto has = [&](const char* part) { return name.find(part) != std::string::npos; };
  if (has("PCIe") || has("NVL")) return std::nullopt;  // not the catalog's SXM parts
  if (has("H800")) return "H800";
  if (has("H200")) return "H200";
  if (has("H100")) return "H100";
  if (has("B200")) return "B200";
  if (has("A100") && has("80GB")) return "A100-80GB";
  return std::nullopt;
}

}  // namespace moesim::real
