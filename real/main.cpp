// moesim-real: runs the simulator's ops on real GPUs. Subcommands:
//   info      what a measurement on this machine would record (JSON; exit 0 without a GPU)
//   profile   time a shape list (`moesim shapes`) and write a calibration profile
//   layer     one V3 layer's F, B and W passes on one GPU (JSON)
//   overlap   a GEMM's slowdown beside a communication kernel, into a profile
//   step      multi-GPU communication of a step under NCCL (when built with NCCL)
// Exit codes as moesim's: 0 success, 1 failure (CUDA, NCCL, I/O, no GPU), 2 bad input.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "kernels/device_info.h"
#include "real/layer_runner.h"
#include "real/layer_trace.h"
#include "real/overlap_runner.h"
#include "real/profile_runner.h"
#include "real/real_options.h"
#include "sim/core/diagnostics.h"
#include "sim/hw/calibration_profile.h"
#ifdef MOESIM_HAVE_NCCL
#include <nccl.h>

#include "real/step_runner.h"
#endif

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

const char* const kUsage =
    "usage: moesim-real <command> [options]\n"
    "\n"
    "Runs moesim's ops on real GPUs with kernels/ (and NCCL between GPUs) to calibrate\n"
    "and check the simulator. docs/real.md says how to run it on one GPU and on a cluster.\n"
    "\n"
    "commands:\n"
    "  info        the device, driver, CUDA and NCCL versions a measurement records (JSON)\n"
    "  profile --shapes SHAPES.json --out PROFILE.json [--warmup N] [--repeats N]\n"
    "              [--gpu NAME] [--skip-untileable]\n"
    "              time every shape of `moesim shapes SCENARIO` and write a calibration\n"
    "              profile (moesim-calibration-1) that `moesim calibrate` reads\n"
    "  layer [--kind dense|moe] [--scale F] [--tokens N] [--out FILE] [--warmup N]\n"
    "        [--repeats N] [--trace-out TRACE.json]\n"
    "              one DeepSeek-V3 layer on one GPU: forward, backward-for-input and\n"
    "              backward-for-weights, each pass and each op timed (moesim-layer-1 JSON;\n"
    "              widths x F, 1/8 <= F <= 1; stdout without --out); --trace-out also\n"
    "              writes it as a Kineto trace for `moesim calibrate --trace`\n"
    "  overlap --profile PROFILE.json [--comm-sms N] [--comm-gbps G] [--warmup N]\n"
    "          [--repeats N]\n"
    "              an FP8 GEMM alone and beside a copy kernel holding N SMs (20) and moving\n"
    "              G GB/s of HBM (400): the slowdown beyond the SMs taken, written into\n"
    "              PROFILE as overlap.compute_slowdown (the des step's HBM interference)\n"
    "  step [--timeout S] [--id-file PATH] [--run-tag TAG] [--tokens N] [--scale F]\n"
    "       [--pp-stride N] [--out FILE] [--warmup N] [--repeats N]\n"
    "              one rank per GPU (mpirun/srun): NCCL bootstrap, EP dispatch/combine\n"
    "              from the gate's routing, pipeline send/recv, ZeRO-1 reduce-scatter and\n"
    "              all-gather, each timed, every wait bounded by --timeout\n";

int info() {
  const auto d = moesim::kernels::query_devices();
  int nccl = 0;
#ifdef MOESIM_HAVE_NCCL
  ncclGetVersion(&nccl);
#endif
  const nlohmann::json j = {{"device_count", d.device_count}, {"device", d.name},
                            {"sm_count", d.sm_count},         {"cuda_driver", d.driver_version},
                            {"cuda_runtime", d.runtime_version}, {"nccl", nccl},
                            {"error", d.error}};
  std::cout << j.dump() << "\n";
  return kExitOk;
}

int profile(const std::vector<std::string>& args) {
  const moesim::real::ProfileOptions o = moesim::real::parse_profile_options(args);
  if (o.help) {
    std::cout << kUsage;
    return kExitOk;
  }
  const moesim::real::ProfileRun run = moesim::real::run_profile(o, std::cerr);
  moesim::real::write_calibration_profile(o.out, run);
  std::cerr << "wrote " << o.out << ": " << run.measured.size() << " measured, "
            << run.skipped.size() << " skipped (listed under /about/skipped)\n";
  return kExitOk;
}

int layer(const std::vector<std::string>& args) {
  const moesim::real::LayerOptions o = moesim::real::parse_layer_options(args);
  if (o.help) {
    std::cout << kUsage;
    return kExitOk;
  }
  const moesim::real::LayerRun run = moesim::real::run_layer(o, std::cerr);
  moesim::real::write_layer_report(o.out, run, std::cout);
  if (!o.out.empty())
    std::cerr << "wrote " << o.out << ": " << run.ops.size() << " ops timed, "
              << run.skipped.size() << " listed under \"skipped\"\n";
  if (!o.trace_out.empty()) {
    moesim::real::write_layer_trace(o.trace_out, run);
    std::cerr << "wrote " << o.trace_out << ": the layer as a Kineto trace (moesim calibrate "
              << "--trace " << o.trace_out << " --scenario ...)\n";
  }
  return kExitOk;
}

int overlap(const std::vector<std::string>& args) {
  const moesim::real::OverlapOptions o = moesim::real::parse_overlap_options(args);
  if (o.help) {
    std::cout << kUsage;
    return kExitOk;
  }
  // The profile must load before any GPU time is spent on it.
  moesim::load_calibration_profile(o.profile);
  const moesim::real::OverlapRun run = moesim::real::run_overlap(o, std::cerr);
  moesim::real::write_overlap(o.profile, run.timing, run.device);
  std::cerr << "wrote overlap.compute_slowdown "
            << moesim::real::compute_slowdown(run.timing) << " into " << o.profile << "\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> all(argv + 1, argv + argc);
  if (all.empty()) {
    std::cerr << kUsage;
    return kExitBadInput;
  }
  const std::string cmd = all[0];
  const std::vector<std::string> rest(all.begin() + 1, all.end());
  try {
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
      std::cout << kUsage;
      return kExitOk;
    }
    if (cmd == "info") return info();
    if (cmd == "profile") return profile(rest);
    if (cmd == "layer") return layer(rest);
    if (cmd == "overlap") return overlap(rest);
    if (cmd == "step") {
#ifdef MOESIM_HAVE_NCCL
      return moesim::real::step_command(rest, std::cout, std::cerr);
#else
      std::cerr << "error: moesim-real was built without NCCL: step is not available\n";
      return kExitFailure;
#endif
    }
    std::cerr << "error: unknown command \"" << cmd << "\"\n\n" << kUsage;
    return kExitBadInput;
  } catch (const moesim::real::UsageError& e) {
    std::cerr << "error: " << cmd << ": " << e.what() << "\n\n" << kUsage;
    return kExitBadInput;
  } catch (const moesim::InputError& e) {
    std::cerr << e.what();
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitFailure;
  }
}
