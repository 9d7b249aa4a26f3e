#include <filesystem>

#include "cli/args.h"
#include "cli/cli.h"
#include "sim/core/diagnostics.h"
#include "sim/validation/validation_report.h"

namespace moesim::cli {

namespace {
const char* const kValidateUsage =
    "usage: moesim validate [--case NAME] [--format text|md|json] [--out FILE] [--plots DIR]\n"
    "                       [--dir DIR]\n"
    "\n"
    "Runs the validation cases (validation/published/*.json: each a published figure,\n"
    "its source and a tolerance) and prints case, reference, simulated, error,\n"
    "tolerance and pass/fail. Exit status 0 when every case passes, 1 otherwise.\n"
    "\n"
    "  --case NAME   only cases whose name contains NAME\n"
    "  --plots DIR   also write validation-scatter.svg (simulated against reference,\n"
    "                log-log) and validation-errors.svg (error histogram) into DIR\n"
    "  --dir DIR     where the cases are (default validation/published)\n"
    "Paths inside the cases are relative to the current folder: run it from the\n"
    "repository root.\n";
}  // namespace

int validate_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const ParsedArgs a =
      parse_args(args, {"--case", "--format", "--out", "--plots", "--dir"}, {"--help"});
  if (a.flags.count("--help")) {
    out << kValidateUsage;
    return kExitOk;
  }
  if (!a.positional.empty()) {
    err << "error: moesim validate takes no positional arguments\n\n" << kValidateUsage;
    return kExitBadInput;
  }
  const std::string fmt = a.get("--format").value_or("text");
  ValidationFormat f = ValidationFormat::kText;
  if (fmt == "md" || fmt == "markdown") {
    f = ValidationFormat::kMarkdown;
  } else if (fmt == "json") {
    f = ValidationFormat::kJson;
  } else if (fmt != "text") {
    Diagnostics d;
    d.add("<command line>", "--format", "expected text, md or json, found \"" + fmt + "\"");
    throw InputError(d);
  }
  namespace fs = std::filesystem;
  const std::string dir = a.get("--dir").value_or("validation/published");
  if (!fs::is_directory(dir)) {
    Diagnostics d;
    d.add(dir, "", "no such folder; run moesim validate from the repository root or give --dir");
    throw InputError(d);
  }
  const auto results = run_validation(dir, "", a.get("--case").value_or(""));
  if (results.empty()) {
    err << "error: no validation case matches \"" << a.get("--case").value_or("") << "\"\n";
    return kExitBadInput;
  }
  const std::string text = render_validation(results, f);
  if (auto plots = a.get("--plots")) {
    fs::create_directories(*plots);
    write_file_atomically((fs::path(*plots) / "validation-scatter.svg").string(),
                          validation_scatter_svg(results));
    write_file_atomically((fs::path(*plots) / "validation-errors.svg").string(),
                          validation_histogram_svg(results));
  }
  if (auto path = a.get("--out"))
    write_file_atomically(*path, text);
  else
    out << text;
  for (const auto& r : results)
    if (!r.pass) return 1;
  return kExitOk;
}

}  // namespace moesim::cli
