#include "cli/args.h"
#include "cli/cli.h"
#include "sim/cost/profile_shapes.h"
#include "sim/scenario/scenario_json.h"

namespace moesim::cli {

namespace {
const char* const kShapesUsage =
    "usage: moesim shapes SCENARIO [--out FILE]\n"
    "\n"
    "Writes the shapes a calibration profile should cover for the scenario, as JSON\n"
    "(\"format\": \"moesim-shapes-1\", sim/cost/profile_shapes.h): every op of the per-GPU\n"
    "op graph, per pass (F, B, W), with the GEMM shape the simulator looks efficiency up\n"
    "at, deduplicated, in a fixed order. `moesim-real profile --shapes FILE` times them on\n"
    "a GPU and writes a calibration profile. Without --out the list goes to stdout.\n";
}  // namespace

int shapes_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const ParsedArgs a = parse_args(args, {"--out"}, {"--help"});
  if (a.flags.count("--help")) {
    out << kShapesUsage;
    return kExitOk;
  }
  if (a.positional.size() != 1) {
    err << "error: moesim shapes takes exactly one scenario file\n\n" << kShapesUsage;
    return kExitBadInput;
  }
  const Scenario s = load_scenario(a.positional[0]);
  const std::string text = to_json(profile_shapes(s)).dump(2) + "\n";
  if (auto path = a.get("--out")) {
    write_file_atomically(*path, text);
  } else {
    out << text;
  }
  return kExitOk;
}

}  // namespace moesim::cli
