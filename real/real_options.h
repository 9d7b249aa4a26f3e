#pragma once
// Command-line options of moesim-real's subcommands, parsed without a GPU so that
// tests/real/ can check them. Bad usage throws UsageError with a message that names
// the option; the binary prints it with the subcommand's usage and exits 2.

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace moesim::real {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RawOptions {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;  // "--out" -> "p.json"
  std::set<std::string> flags;                // "--help"
};

// `--name VALUE` and `--name=VALUE` for value options, bare flags; anything else
// starting with "--" is a UsageError (with the closest known option).
RawOptions parse_raw_options(const std::vector<std::string>& args,
                             const std::vector<std::string>& value_options,
                             const std::vector<std::string>& flag_options);

// Timing repetitions. Defaults as moesim-kernel-bench's (kernels/bench): warm-up
// launches absorb module loading, cuBLASLt's heuristic and clock ramp-up.
struct TimingOptions {
  int warmup = 10;
  int repeats = 50;
};

struct ProfileOptions {
  std::string shapes;  // the shape list (`moesim shapes`)
  std::string out;     // the calibration profile to write
  std::string gpu;     // catalog name; "" = derived from the device name
  TimingOptions timing;
  bool skip_untileable = false;  // record shapes the FP8 recipe cannot tile as skipped
  bool help = false;
};

enum class LayerKindOption { kDense, kMoe };

struct LayerOptions {
  LayerKindOption kind = LayerKindOption::kMoe;
  double scale = 1.0;  // widths (hidden, intermediate, heads, experts) x scale, see docs/real.md
  int tokens = 4096;   // micro-batch tokens; V3's pre-training sequence (V3TR §4.2: 4K)
  std::string out;     // "" = stdout
  std::string trace_out;  // "" = none: the layer as a Kineto trace (real/layer_trace.h)
  TimingOptions timing;
  bool help = false;
};

struct StepOptions {
  double timeout_s = 300;  // deadline for every NCCL wait (init, each collective)
  std::string id_file;     // shared-file ncclUniqueId exchange when built without MPI
  std::string run_tag;     // tells this run's id file from a stale one ("" = from env)
  int tokens = 4096;
  double scale = 1.0;
  int pp_peer_stride = 0;  // pipeline neighbour = rank +/- stride; 0 = no pipeline test
  std::string out;
  TimingOptions timing;
  bool help = false;
};

struct OverlapOptions {
  std::string profile;      // the calibration profile to add the figure to
  int comm_sms = 20;        // V3TR §3.2.2: 20 of 132 SMs for communication
  // HBM traffic of the communication kernel, GB/s (reads + writes): a DeepEP call on
  // the H800 cluster reads what it sends and writes what it receives, at most
  // 40 GB/s of IB and 160 GB/s of NVLink per direction (clusters/h800-2048.json, V3
  // ISCA Table 5): 2 x (40 + 160) = 400.
  double comm_gbps = 400;
  TimingOptions timing;
  bool help = false;
};

OverlapOptions parse_overlap_options(const std::vector<std::string>& args);

ProfileOptions parse_profile_options(const std::vector<std::string>& args);
LayerOptions parse_layer_options(const std::vector<std::string>& args);
StepOptions parse_step_options(const std::vector<std::string>& args);

}  // namespace moesim::real
