#include "sim/validation/validation_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

namespace moesim {

namespace {

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

std::string pct(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%+.2f%%", 100.0 * v);
  return b;
}

std::string verdict(const ValidationResult& r) {
  return !r.problem.empty() ? "ERROR" : r.pass ? "pass" : "FAIL";
}

}  // namespace

std::string render_validation(const std::vector<ValidationResult>& rs, ValidationFormat f) {
  if (f == ValidationFormat::kJson) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& r : rs)
      a.push_back({{"case", r.c.name},
                   {"kind", r.c.kind},
                   {"quantity", r.c.quantity},
                   {"source", r.c.source},
                   {"basis", r.c.basis},
                   {"reference", r.c.reference},
                   {"simulated", r.simulated},
                   {"error", r.error},
                   {"tolerance", r.c.tolerance},
                   {"pass", r.pass},
                   {"problem", r.problem}});
    return a.dump(2) + "\n";
  }
  const bool md = f == ValidationFormat::kMarkdown;
  std::ostringstream o;
  size_t pass = 0;
  for (const auto& r : rs) pass += r.pass;
  if (md) {
    o << "# moesim validation\n\n" << pass << " of " << rs.size() << " cases pass.\n\n"
      << "| case | basis | source | reference | simulated | error | tolerance | result |\n"
      << "|---|---|---|---|---|---|---|---|\n";
    for (const auto& r : rs)
      o << "| " << r.c.name << " | " << r.c.basis << " | " << r.c.source << " | " << num(r.c.reference) << " | "
        << (r.problem.empty() ? num(r.simulated) : r.problem) << " | " << pct(r.error) << " | "
        << num(100 * r.c.tolerance) << "% | " << verdict(r) << " |\n";
    o << "\n![simulated against reference](validation-scatter.svg)\n\n"
      << "![error histogram](validation-errors.svg)\n";
    return o.str();
  }
  char line[512];
  std::snprintf(line, sizeof line, "%-62s %-9s %14s %14s %9s %9s  %s\n", "case", "basis",
                "reference", "simulated", "error", "tolerance", "result");
  o << line;
  for (const auto& r : rs) {
    std::snprintf(line, sizeof line, "%-62s %-9s %14s %14s %9s %8s%%  %s\n", r.c.name.c_str(),
                  r.c.basis.c_str(), num(r.c.reference).c_str(), num(r.simulated).c_str(), pct(r.error).c_str(),
                  num(100 * r.c.tolerance).c_str(), verdict(r).c_str());
    o << line;
    if (!r.problem.empty()) o << "    " << r.problem << "\n";
  }
  o << "\n" << pass << " of " << rs.size() << " cases pass\n";
  return o.str();
}

std::string validation_scatter_svg(const std::vector<ValidationResult>& rs) {
  double lo = 1e300, hi = 0;
  for (const auto& r : rs)
    if (r.problem.empty() && r.c.reference > 0 && r.simulated > 0) {
      lo = std::min({lo, r.c.reference, r.simulated});
      hi = std::max({hi, r.c.reference, r.simulated});
    }
  if (hi <= 0) lo = 1, hi = 10;
  const double l0 = std::floor(std::log10(lo)), l1 = std::ceil(std::log10(hi)) + (lo == hi);
  const double W = 480, H = 480, M = 60;
  auto px = [&](double v) { return M + (std::log10(v) - l0) / (l1 - l0) * (W - 2 * M); };
  auto py = [&](double v) { return H - M - (std::log10(v) - l0) / (l1 - l0) * (H - 2 * M); };
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
    << "\" font-family=\"DejaVu Sans\" font-size=\"11\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << W / 2 << "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">"
       "simulated against reference (log-log)</text>\n";
  const double step = std::max(1.0, std::ceil((l1 - l0) / 7.0));  // at most ~8 labels
  for (double e = l0; e <= l1; e += step) {
    const double x = px(std::pow(10, e)), y = py(std::pow(10, e));
    o << "<line x1=\"" << x << "\" y1=\"" << M << "\" x2=\"" << x << "\" y2=\"" << H - M
      << "\" stroke=\"#ddd\"/>\n<line x1=\"" << M << "\" y1=\"" << y << "\" x2=\"" << W - M
      << "\" y2=\"" << y << "\" stroke=\"#ddd\"/>\n"
      << "<text x=\"" << x << "\" y=\"" << H - M + 16 << "\" text-anchor=\"middle\">1e" << e
      << "</text>\n<text x=\"" << M - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">1e" << e
      << "</text>\n";
  }
  o << "<line x1=\"" << px(std::pow(10, l0)) << "\" y1=\"" << py(std::pow(10, l0)) << "\" x2=\""
    << px(std::pow(10, l1)) << "\" y2=\"" << py(std::pow(10, l1))
    << "\" stroke=\"#888\" stroke-dasharray=\"4\"/>\n";
  for (const auto& r : rs) {
    if (!r.problem.empty() || r.c.reference <= 0 || r.simulated <= 0) continue;
    o << "<circle cx=\"" << px(r.c.reference) << "\" cy=\"" << py(r.simulated)
      << "\" r=\"4\" fill=\"" << (r.pass ? "#1f77b4" : "#d62728") << "\"><title>" << r.c.name
      << "</title></circle>\n";
  }
  o << "<text x=\"" << W / 2 << "\" y=\"" << H - 15 << "\" text-anchor=\"middle\">reference</text>\n"
    << "<text x=\"15\" y=\"" << H / 2 << "\" transform=\"rotate(-90 15 " << H / 2
    << ")\" text-anchor=\"middle\">simulated</text>\n</svg>\n";
  return o.str();
}

std::string validation_histogram_svg(const std::vector<ValidationResult>& rs) {
  // Bins of 5% from -50% to +50%; the outer bins collect everything beyond.
  const int bins = 20;
  std::vector<int> count(bins, 0);
  for (const auto& r : rs) {
    if (!r.problem.empty()) continue;
    int b = static_cast<int>(std::floor((r.error + 0.5) / 0.05));
    count[static_cast<size_t>(std::clamp(b, 0, bins - 1))]++;
  }
  const int top = std::max(1, *std::max_element(count.begin(), count.end()));
  const double W = 560, H = 320, M = 50, bw = (W - 2 * M) / bins;
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
    << "\" font-family=\"DejaVu Sans\" font-size=\"11\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << W / 2 << "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">"
       "relative error of the simulated values</text>\n";
  for (int b = 0; b < bins; ++b) {
    const double h = (H - 2 * M) * count[static_cast<size_t>(b)] / top;
    o << "<rect x=\"" << M + b * bw + 1 << "\" y=\"" << H - M - h << "\" width=\"" << bw - 2
      << "\" height=\"" << h << "\" fill=\"#1f77b4\"/>\n";
  }
  for (int t = -50; t <= 50; t += 25)
    o << "<text x=\"" << M + (t + 50) / 100.0 * (W - 2 * M) << "\" y=\"" << H - M + 16
      << "\" text-anchor=\"middle\">" << t << "%</text>\n";
  o << "<text x=\"" << M - 8 << "\" y=\"" << M + 4 << "\" text-anchor=\"end\">" << top
    << "</text>\n<text x=\"" << W / 2 << "\" y=\"" << H - 12
    << "\" text-anchor=\"middle\">(simulated - reference) / reference; outer bins hold the tails"
       "</text>\n</svg>\n";
  return o.str();
}

}  // namespace moesim
