#pragma once
// The validation table for people (text, Markdown) and programs (JSON), and two
// SVG plots for the Markdown report: simulated against reference on log-log
// axes (the diagonal is perfect agreement) and a histogram of the errors.

#include <string>
#include <vector>

#include "sim/validation/validation_cases.h"

namespace moesim {

enum class ValidationFormat { kText, kMarkdown, kJson };

std::string render_validation(const std::vector<ValidationResult>& r, ValidationFormat f);
std::string validation_scatter_svg(const std::vector<ValidationResult>& r);
std::string validation_histogram_svg(const std::vector<ValidationResult>& r);

}  // namespace moesim
