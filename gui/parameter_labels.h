#pragma once
// What the studio calls a scenario value: the label of its form field
// ("EP (experts)") wherever the value is named outside the JSON view (sweep
// axes and legends, the changes a sweep point makes, a diagnostic's field),
// so that the same value never appears under two names. One table for the
// form and everything else.

#include <QString>
#include <string>
#include <vector>

namespace moesim::gui {

struct ParameterLabel {
  const char* pointer;  // JSON pointer from the scenario's root
  const char* label;    // as the form shows it beside the field
  // As it is named away from its group in the form ("Precision" for the
  // precision group's "Kind"); nullptr: the label.
  const char* full_label = nullptr;
};

// Every value the form edits, in the form's order.
const std::vector<ParameterLabel>& parameter_labels();

// The field's label for `pointer`, standing alone ("Precision", "EP
// (experts)"); a pointer without a field is named by the pointer itself.
QString parameter_label(const std::string& pointer);

}  // namespace moesim::gui
