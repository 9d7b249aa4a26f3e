#pragma once
// What `moesim-real profile` writes: a calibration profile in the simulator's format
// ("moesim-calibration-1", sim/hw/calibration_profile.h), one entry per measured shape,
// using only keys that parser accepts. Medians go into the entries (GEMMs as "time_s" at
// the shape run, attention as "tflops", memory-bound ops as "gb_per_s" over the bytes the
// simulator charges); the spread (min, max, p10, p90), the shapes skipped and why, and
// the run's settings go into the top-level "about" block. The file is checked with the
// simulator's own parser before it is renamed into place, so what appears loads with
// `moesim calibrate`. Pure apart from writing the file; no GPU needed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "real/real_options.h"
#include "real/timing_stats.h"
#include "sim/cost/profile_shapes.h"

namespace moesim::real {

// The machine a measurement was taken on (the profile's "device" block).
struct DeviceRecord {
  std::string name;          // CUDA's device name, e.g. "NVIDIA H100 80GB HBM3"
  int sm_count = 0;
  int driver_version = 0;    // CUDA driver API version, e.g. 13000
  int runtime_version = 0;   // CUDA runtime built against
  int nccl_version = 0;      // 0 when built without NCCL
  int sm_clock_max_khz = 0;  // cudaDevAttrClockRate (peak, not the clock during the run)
  int mem_clock_max_khz = 0;
  std::string date;          // UTC, ISO 8601
  std::string host;
};

struct ShapeMeasurement {
  std::size_t index = 0;  // in the shape list
  ProfileShape shape;
  double m = 0, n = 0, k = 0;  // GEMMs: the shape run (m rounded up for grouped GEMMs)
  int groups = 1;
  TimingStats stats;
};

struct SkippedShape {
  std::size_t index = 0;
  ProfileShape shape;
  std::string reason;
};

struct ProfileRun {
  std::string shapes_file;
  ProfileShapeList list;
  std::string gpu;  // catalog name the efficiencies divide by
  DeviceRecord device;
  TimingOptions timing;
  std::string method;  // how each sample was taken (events, L2 flush, ...)
  std::vector<ShapeMeasurement> measured;
  std::vector<SkippedShape> skipped;
};

// The "device" block (name, SM count, driver, CUDA, clocks, date; NCCL and host when
// known), shared by the profile and the layer report.
nlohmann::json device_record_json(const DeviceRecord& d);

nlohmann::json calibration_profile_json(const ProfileRun& run);

// Checks the JSON with parse_calibration_profile (InputError on a mismatch, e.g. a
// measurement above the datasheet peak of `gpu`), then writes it atomically. Throws
// std::runtime_error when nothing was measured. On an InputError the profile is kept
// beside `path` as PATH.rejected for diagnosis, and `path` is not created.
void write_calibration_profile(const std::string& path, const ProfileRun& run);

// The catalog GPU (sim/hw/gpu_catalog.cpp) a CUDA device name denotes: "H800", "H100"
// (SXM only), "H200", "A100-80GB", "B200"; nullopt when unsure (e.g. H100 PCIe or NVL,
// whose peaks differ from the catalog's SXM figures: pass --gpu).
std::optional<std::string> catalog_gpu_for_device(const std::string& device_name);

}  // namespace moesim::real
