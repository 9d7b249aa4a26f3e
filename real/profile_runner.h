#pragma once
// `moesim-real profile`: times every shape of a shape list with kernels/ on GPU 0 and
// writes a calibration profile (real/profile_writer.h). Needs a GPU.

#include <ostream>

#include "real/profile_writer.h"
#include "real/real_options.h"

namespace moesim::real {

// Throws InputError for a bad shape list (or an untileable shape without
// --skip-untileable), std::runtime_error when there is no GPU or nothing could be
// measured; a case that fails on the GPU is recorded as skipped with CUDA's error.
// Progress goes to `log`, one line per shape.
ProfileRun run_profile(const ProfileOptions& o, std::ostream& log);

// The device record of GPU 0 (date and host filled in). Throws without a GPU.
DeviceRecord record_device();

}  // namespace moesim::real
