#pragma once
#include <string>

#include "sim/core/diagnostics.h"
#include "sim/report/report.h"

namespace moesim::cli {

// "text" | "json" | "md"; anything else is a usage error naming --format.
inline ReportFormat parse_report_format(const std::string& s) {
  if (s == "text") return ReportFormat::kText;
  if (s == "json") return ReportFormat::kJson;
  if (s == "md" || s == "markdown") return ReportFormat::kMarkdown;
  Diagnostics d;
  d.add("<command line>", "--format", "expected text, json or md, found \"" + s + "\"");
  throw InputError(d);
}

}  // namespace moesim::cli
