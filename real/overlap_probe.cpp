#include "real/overlap_probe.h"

#include <algorithm>
#include <cstdio>

#include "sim/core/atomic_file.h"
#include "sim/core/diagnostics.h"
#include "sim/core/json_checks.h"
#include "sim/hw/calibration_profile.h"

namespace moesim::real {

double compute_slowdown(const OverlapTiming& t) {
  const double sm_share = static_cast<double>(t.sm_count) / (t.sm_count - t.comm_sms);
  return std::max(0.0, 1.0 - t.alone_s * sm_share / t.shared_s);
}

nlohmann::json with_overlap(nlohmann::json profile, const OverlapTiming& t,
                            const std::string& device) {
  char line[512];
  std::snprintf(line, sizeof line,
                "moesim-real overlap on %s: FP8 GEMM %.0fx%.0fx%.0f, median %.1f us alone on "
                "%d SMs, %.1f us beside a copy on %d SMs moving %.0f GB/s of HBM",
                device.c_str(), t.m, t.n, t.k, t.alone_s * 1e6, t.sm_count, t.shared_s * 1e6,
                t.comm_sms, t.achieved_gbps);
  profile["overlap"] = {{"compute_slowdown", compute_slowdown(t)},
                        {"comm_sms", t.comm_sms},
                        {"source", line},
                        {"about",
                         {{"alone_s", t.alone_s},
                          {"shared_s", t.shared_s},
                          {"sm_share_s", t.alone_s * t.sm_count / (t.sm_count - t.comm_sms)},
                          {"comm_gbps_asked", t.comm_gbps},
                          {"comm_gbps_achieved", t.achieved_gbps},
                          {"gemm", {{"m", t.m}, {"n", t.n}, {"k", t.k}, {"dtype", "fp8"}}}}}};
  return profile;
}

void write_overlap(const std::string& path, const OverlapTiming& t, const std::string& device) {
  Diagnostics d;
  const nlohmann::json in = read_json_file(path, path, d);
  d.throw_if_any();
  parse_calibration_profile(in, path);  // the profile must load before it is touched
  const nlohmann::json out = with_overlap(in, t, device);
  parse_calibration_profile(out, path);
  write_file_atomically(path, out.dump(2) + "\n");
}

}  // namespace moesim::real
