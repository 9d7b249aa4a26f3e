#include "cli/cli.h"

#include <new>
#include <stdexcept>

#include "sim/core/diagnostics.h"
#include "sim/report/report.h"

namespace moesim::cli {

namespace {

const char* const kUsage =
    "usage: moesim <command> [options]\n"
    "\n"
    "Simulates Mixture-of-Experts training clusters: step time, memory, GPU-hours and cost.\n"
    "\n"
    "commands:\n"
    "  run SCENARIO...   estimate training runs described by scenario files\n"
    "  model MODEL       parameters, FLOPs per token and KV cache of a model file or a\n"
    "                    HuggingFace config.json\n"
    "  sweep SPEC        evaluate a sweep of scenarios (parallel, resumable, shardable)\n"
    "  schedule ...      draw a pipeline schedule and compare its bubble with the table\n"
    "  validate          compare the simulator with published figures (pass/fail table)\n"
    "  calibrate PROFILE...\n"
    "                    check calibration profiles and show the efficiency fit;\n"
    "                    --trace TRACE: calibrate from a PyTorch profiler trace\n"
    "  compare-trace SCENARIO TRACE\n"
    "                    the simulated DualPipe chunk pair beside a measured one, per\n"
    "                    stage and op class, and both timelines as one Chrome trace\n"
    "  collective KIND   simulate one collective (DeepEP dispatch/combine, NCCL-style\n"
    "                    all-reduce, ...) on the SimGrid network; per-rank times, bandwidth\n"
    "  shapes SCENARIO   the op shapes a calibration profile should cover (JSON), for\n"
    "                    moesim-real profile\n"
    "  merge --out DIR SHARD_DIR...\n"
    "                    join the outputs of sharded sweeps\n"
    "\n"
    "options:\n"
    "  -h, --help        this help; `moesim <command> --help` for a command's options\n"
    "  --version         print the version\n";

}  // namespace

int main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << kUsage;
    return kExitBadInput;
  }
  const std::string& cmd = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
      out << kUsage;
      return kExitOk;
    }
    if (cmd == "--version") {
      out << "moesim " << kMoesimVersion << "\n";
      return kExitOk;
    }
    if (cmd == "run") return run_command(rest, out, err);
    if (cmd == "model") return model_command(rest, out, err);
    if (cmd == "sweep") return sweep_command(rest, out, err);
    if (cmd == "merge") return merge_command(rest, out, err);
    if (cmd == "schedule") return schedule_command(rest, out, err);
    if (cmd == "validate") return validate_command(rest, out, err);
    if (cmd == "compare-trace") return compare_trace_command(rest, out, err);
    if (cmd == "calibrate") return calibrate_command(rest, out, err);
    if (cmd == "collective") return collective_command(rest, out, err);
    if (cmd == "shapes") return shapes_command(rest, out, err);
    std::string hint = closest_match(cmd, {"run", "model", "sweep", "merge", "schedule", "validate", "calibrate", "collective", "shapes", "--help", "--version"});
    err << "error: unknown command \"" << cmd << "\""
        << (hint.empty() ? "" : "; did you mean \"" + hint + "\"?") << "\n\n"
        << kUsage;
    return kExitBadInput;
  } catch (const InputError& e) {
    err << e.what();
    return kExitBadInput;
  } catch (const std::bad_alloc&) {
    err << "error: out of memory running `moesim " << cmd
        << "` (a memory limit, or an input far larger than the figures it was checked "
           "against)\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace moesim::cli
