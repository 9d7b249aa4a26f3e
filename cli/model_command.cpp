#include "cli/args.h"
#include "cli/cli.h"
#include "cli/report_format.h"
#include "sim/model/accounting.h"
#include "sim/report/report.h"
#include "sim/scenario/scenario_json.h"

namespace moesim::cli {

namespace {
const char* const kModelUsage =
    "usage: moesim model MODEL [--seq-len N] [--format text|json|md]\n"
    "\n"
    "Prints a model's parameters (total without MTP, activated, MTP), training FLOPs per\n"
    "token at the sequence length (default 4096) and BF16 KV cache bytes per token.\n"
    "MODEL is a moesim model file (scenarios/models/) or a HuggingFace config.json of the\n"
    "DeepSeek-V2/V3, LLaMA, Qwen2 or Mixtral families.\n";
}  // namespace

int model_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const ParsedArgs a = parse_args(args, {"--format", "--seq-len"}, {"--help"});
  if (a.flags.count("--help")) {
    out << kModelUsage;
    return kExitOk;
  }
  if (a.positional.size() != 1) {
    err << "error: moesim model takes exactly one model file\n\n" << kModelUsage;
    return kExitBadInput;
  }
  const ReportFormat format = parse_report_format(a.get("--format").value_or("text"));
  int seq_len = 4096;
  if (auto v = a.get("--seq-len")) {
    size_t used = 0;
    long n = 0;
    try {
      n = std::stol(*v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != v->size() || n < 1 || n > (1L << 24)) {
      Diagnostics d;
      d.add("<command line>", "--seq-len",
            "expected an integer in 1..16777216, found \"" + *v + "\"");
      d.throw_if_any();
    }
    seq_len = static_cast<int>(n);
  }
  const ModelSpec m = load_model(a.positional[0]);
  out << render_model(m, summarize(m, seq_len), format);
  return kExitOk;
}

}  // namespace moesim::cli
